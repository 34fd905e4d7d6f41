using Lambda.Shared.Storage;

namespace Lambda.Shared.Tests.Storage;

public sealed class StorageOptionsValidatorTests
{
    private static readonly StorageOptions ValidS3 = new()
    {
        Kind = StorageKind.S3, ServiceUrl = "http://127.0.0.1:14568", Bucket = "lambda", Prefix = "prod/", AccessKey = "k", SecretKey = "s",
    };

    [Fact]
    public void The_defaults_are_the_local_kind_and_valid()
    {
        var defaults = new StorageOptions();
        Assert.Equal(StorageKind.Local, defaults.Kind);
        Assert.True(new StorageOptionsValidator().Validate(null, defaults).Succeeded);
        Assert.True(new StorageOptionsValidator().Validate(null, ValidS3).Succeeded);
    }

    public static TheoryData<StorageOptions, string> Invalid => new()
    {
        { new StorageOptions { Kind = StorageKind.S3 }, "Storage:Bucket" },
        { new StorageOptions { Kind = StorageKind.S3, Bucket = "b", ServiceUrl = "ftp://x" }, "Storage:ServiceUrl" },
        { new StorageOptions { Kind = StorageKind.S3, Bucket = "b", Prefix = "no-slash" }, "Storage:Prefix" },
        { new StorageOptions { Kind = StorageKind.S3, Bucket = "b", Prefix = "/abs/" }, "Storage:Prefix" },
        { new StorageOptions { Kind = StorageKind.S3, Bucket = "b", AccessKey = "only-the-id" }, "Storage:AccessKey" },
        { new StorageOptions { Kind = StorageKind.S3, Bucket = "b", CredentialsFile = "/nonexistent/credentials" }, "Storage:CredentialsFile" },
        { new StorageOptions { Kind = StorageKind.S3, Bucket = "b", UncommittedObjectGrace = TimeSpan.Zero }, "Storage:UncommittedObjectGrace" },
        { new StorageOptions { Kind = (StorageKind)7 }, "Storage:Kind" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_bad_setting_is_refused_naming_its_key(StorageOptions options, string key)
    {
        var result = new StorageOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_credentials_file_in_the_aws_syntax_gives_the_key_pair()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "[default]\naws_access_key_id = AKID\naws_secret_access_key=SECRET\n");
            var credentials = S3ClientFactory.Credentials(new StorageOptions { Kind = StorageKind.S3, Bucket = "b", CredentialsFile = file })!.GetCredentials();
            Assert.Equal(("AKID", "SECRET"), (credentials.AccessKey, credentials.SecretKey));
            Assert.Null(S3ClientFactory.Credentials(new StorageOptions { Kind = StorageKind.S3, Bucket = "b" }));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
