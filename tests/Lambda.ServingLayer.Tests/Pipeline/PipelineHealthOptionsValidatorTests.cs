using Lambda.ServingLayer.Pipeline;

namespace Lambda.ServingLayer.Tests.Pipeline;

public sealed class PipelineHealthOptionsValidatorTests
{
    [Fact]
    public void The_defaults_pass()
    {
        Assert.True(new PipelineHealthOptionsValidator().Validate(null, new PipelineHealthOptions()).Succeeded);
    }

    [Fact]
    public void A_history_shorter_than_two_samples_and_a_negative_threshold_are_named_by_their_keys()
    {
        var options = new PipelineHealthOptions
        {
            SampleInterval = TimeSpan.FromMinutes(1),
            History = TimeSpan.FromSeconds(90),
            Thresholds = new PipelineHealthThresholds { MaxSpeedLag = -1 },
        };

        var result = new PipelineHealthOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Serving:PipelineHealth:History (00:01:30) must hold at least two samples", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Serving:PipelineHealth:Thresholds:MaxSpeedLag", StringComparison.Ordinal));
    }
}
