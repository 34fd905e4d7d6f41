using Lambda.DevBroker.Topics;
using Microsoft.Extensions.Options;

namespace Lambda.DevBroker.Hosting;

/// <summary>Creates the configured topics when the broker starts, before anyone is told where it listens.</summary>
internal sealed class ConfiguredTopicsService(
    TopicManager topics,
    IOptions<DevBrokerOptions> options,
    ILogger<ConfiguredTopicsService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var spec in options.Value.Topics)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The validator guarantees both values.
            var result = topics.Ensure(spec.Name!, spec.Partitions!.Value);
            if (result.Outcome == TopicOutcome.Conflict)
            {
                throw new InvalidOperationException(
                    $"Configured topic '{spec.Name}' exists with {result.Topic.Partitions} partitions, not {spec.Partitions}.");
            }
        }

        logger.LogInformation("{Count} configured topics ready", options.Value.Topics.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
