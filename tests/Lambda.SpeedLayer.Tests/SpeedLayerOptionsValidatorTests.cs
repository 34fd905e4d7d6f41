namespace Lambda.SpeedLayer.Tests;

/// <summary>Start-up validation of the SpeedLayer settings.</summary>
public sealed class SpeedLayerOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new SpeedLayerOptionsValidator().Validate(null, new SpeedLayerOptions()).Succeeded);
    }

    [Theory]
    [InlineData("GroupId", "SpeedLayer:GroupId")]
    [InlineData("FlushInterval", "SpeedLayer:FlushInterval")]
    [InlineData("FlushMaxEvents", "SpeedLayer:FlushMaxEvents")]
    [InlineData("BacklogLag", "SpeedLayer:BacklogLag")]
    [InlineData("BacklogFlushInterval", "SpeedLayer:BacklogFlushInterval")]
    [InlineData("BacklogFlushMaxEvents", "SpeedLayer:BacklogFlushMaxEvents")]
    [InlineData("MaxRowsPerInsert", "SpeedLayer:MaxRowsPerInsert")]
    [InlineData("MaxPendingFlushes", "SpeedLayer:MaxPendingFlushes")]
    [InlineData("GroupProtocol", "SpeedLayer:GroupProtocol")]
    [InlineData("SessionTimeout", "SpeedLayer:SessionTimeout")]
    [InlineData("RetryMaxDelay", "SpeedLayer:RetryMaxDelay")]
    [InlineData("DeadLetterSuffix", "SpeedLayer:DeadLetterSuffix")]
    public void A_bad_value_is_reported_with_its_configuration_key(string field, string key)
    {
        var options = field switch
        {
            "GroupId" => new SpeedLayerOptions { GroupId = " " },
            "FlushInterval" => new SpeedLayerOptions { FlushInterval = TimeSpan.Zero },
            "FlushMaxEvents" => new SpeedLayerOptions { FlushMaxEvents = 0 },
            "BacklogLag" => new SpeedLayerOptions { BacklogLag = 0 },
            "BacklogFlushInterval" => new SpeedLayerOptions { BacklogFlushInterval = TimeSpan.FromHours(1) },
            "BacklogFlushMaxEvents" => new SpeedLayerOptions { BacklogFlushMaxEvents = 0 },
            "MaxRowsPerInsert" => new SpeedLayerOptions { MaxRowsPerInsert = 2_000_000 },
            "MaxPendingFlushes" => new SpeedLayerOptions { MaxPendingFlushes = 0 },
            "GroupProtocol" => new SpeedLayerOptions { GroupProtocol = "eager" },
            "SessionTimeout" => new SpeedLayerOptions { SessionTimeout = TimeSpan.FromMinutes(10), MaxPollInterval = TimeSpan.FromMinutes(5) },
            "RetryMaxDelay" => new SpeedLayerOptions { RetryBaseDelay = TimeSpan.FromSeconds(2), RetryMaxDelay = TimeSpan.FromSeconds(1) },
            _ => new SpeedLayerOptions { DeadLetterSuffix = string.Empty },
        };

        var result = new SpeedLayerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(key, failure, StringComparison.Ordinal);
    }
}
