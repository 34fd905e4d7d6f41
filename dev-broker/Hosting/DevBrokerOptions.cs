using System.ComponentModel.DataAnnotations;
using Lambda.DevBroker.Topics;

namespace Lambda.DevBroker.Hosting;

/// <summary>Settings of the development broker (configuration section <c>DevBroker</c>).</summary>
public sealed class DevBrokerOptions
{
    public const string SectionName = "DevBroker";

    /// <summary>Number of mock brokers. Default 1: one broker is enough for development and keeps it light.</summary>
    [Range(1, 16)]
    public int BrokerCount { get; init; } = 1;

    /// <summary>
    /// Delay before the first rebalance of a new consumer group, in milliseconds. Default null keeps
    /// librdkafka's own default.
    /// </summary>
    [Range(0, 300_000)]
    public int? GroupInitialRebalanceDelayMs { get; init; }

    /// <summary>
    /// File the bootstrap address (host:port) is written to once the broker listens, and removed from
    /// on shutdown. Relative paths are relative to the working directory. Default <c>.state/kafka/bootstrap</c>.
    /// </summary>
    [Required]
    public string BootstrapFile { get; init; } = Path.Combine(".state", "kafka", "bootstrap");

    /// <summary>
    /// File the control API's base URL is written to once it listens. Default <c>.state/kafka/admin-url</c>.
    /// </summary>
    [Required]
    public string ControlUrlFile { get; init; } = Path.Combine(".state", "kafka", "admin-url");

    /// <summary>Topics created at startup. Default none; appsettings.json lists the demo topics.</summary>
    public IList<TopicSpec> Topics { get; init; } = [];
}
