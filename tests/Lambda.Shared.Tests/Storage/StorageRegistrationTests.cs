using Lambda.Shared.BatchViews;
using Lambda.Shared.Dataset;
using Lambda.Shared.Lookups;
using Lambda.Shared.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Tests.Storage;

public sealed class StorageRegistrationTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddLogging().AddLambdaLookups(configuration).AddLambdaBatchViews(configuration).BuildServiceProvider();
    }

    [Fact]
    public void By_default_lookups_and_batch_views_stay_in_the_local_dataset_root()
    {
        var root = Path.Combine(Path.GetTempPath(), "dataset-" + Guid.NewGuid().ToString("N"));
        using var services = Build(("Batch:DatasetRoot", root));
        Assert.Equal(root, Assert.IsType<LocalObjectStore>(services.GetRequiredService<IObjectStore>()).Location);
        Assert.IsType<FileLookupStore>(services.GetRequiredService<ILookupReader>());
        Assert.IsType<FileLookupStore>(services.GetRequiredService<ILookupPublisher>());
        Assert.Equal(root, Assert.IsType<ManifestStore>(services.GetRequiredService<IManifestStore>()).Root);
        var log = Assert.IsType<CommitLog>(Assert.IsType<LocalCommitLogs>(services.GetRequiredService<IMasterCommitLogs>()).Open("orders"));
        Assert.Equal(MasterDatasetLayout.CommitDirectory(root, "orders"), log.Directory);
    }

    [Fact]
    public void The_s3_kind_puts_lookups_and_batch_views_in_the_bucket_with_their_commit_points_in_postgres()
    {
        using var services = Build(
            ("Storage:Kind", "s3"), ("Storage:ServiceUrl", "http://127.0.0.1:1"), ("Storage:Bucket", "lambda"), ("Storage:Prefix", "prod/"),
            ("Storage:AccessKey", "k"), ("Storage:SecretKey", "s"), ("ConnectionStrings:Postgres", "Host=127.0.0.1;Port=1;Username=x"));
        Assert.Equal("s3://lambda/prod/", Assert.IsType<S3ObjectStore>(services.GetRequiredService<IObjectStore>()).Location);
        Assert.IsType<ObjectStoreLookupStore>(services.GetRequiredService<ILookupReader>());
        Assert.Same(services.GetRequiredService<ILookupReader>(), services.GetRequiredService<ILookupPublisher>());
        Assert.IsType<ObjectStoreManifestStore>(services.GetRequiredService<IManifestStore>());
        Assert.Equal("master/orders/", Assert.IsType<ObjectStoreCommitLog>(services.GetRequiredService<IMasterCommitLogs>().Open("orders")).KeyPrefix);
    }

    [Fact]
    public void The_s3_kind_without_a_bucket_or_a_database_is_refused_naming_the_setting()
    {
        using var noBucket = Build(("Storage:Kind", "s3"));
        Assert.Contains("Storage:Bucket", Assert.Throws<OptionsValidationException>(() => noBucket.GetRequiredService<IOptions<StorageOptions>>().Value).Message, StringComparison.Ordinal);
        using var noDatabase = Build(("Storage:Kind", "S3"), ("Storage:Bucket", "lambda"));
        Assert.Contains("ConnectionStrings:Postgres", Assert.Throws<InvalidOperationException>(() => noDatabase.GetRequiredService<ILookupReader>()).Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Postgres", Assert.Throws<InvalidOperationException>(() => noDatabase.GetRequiredService<IMasterCommitLogs>()).Message, StringComparison.Ordinal);
    }
}
