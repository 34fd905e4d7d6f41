using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.Tests.ClickHouse;

public sealed class ClickHouseOptionsValidatorTests
{
    private static readonly ClickHouseOptionsValidator Validator = new();

    [Fact]
    public void Defaults_are_valid_and_point_at_the_local_stack()
    {
        var options = new ClickHouseOptions();
        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.Equal(new Uri("http://127.0.0.1:18123"), options.Url);
        Assert.Equal("default", options.User);
        Assert.Equal("", options.Password);
        Assert.Equal("lambda", options.Database);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:18123", "ClickHouse:Url")]
    [InlineData("http://127.0.0.1:18123/?database=x", "ClickHouse:Url")]
    public void Bad_urls_are_named(string url, string key)
    {
        var result = Validator.Validate(null, new ClickHouseOptions { Url = new Uri(url) });
        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_field_is_reported_with_its_key()
    {
        var result = Validator.Validate(null, new ClickHouseOptions
        {
            User = "",
            Password = "pässword",
            Database = " ",
            RequestTimeout = TimeSpan.Zero,
            MaxRetryAttempts = -1,
            RetryBaseDelay = TimeSpan.FromSeconds(10),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "ClickHouse:User", "ClickHouse:Password", "ClickHouse:Database", "ClickHouse:RequestTimeout", "ClickHouse:MaxRetryAttempts", "ClickHouse:RetryMaxDelay" })
        {
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
