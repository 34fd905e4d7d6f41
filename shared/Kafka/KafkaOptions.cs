namespace Lambda.Shared.Kafka;

/// <summary>
/// Where Kafka is and how to talk to it (configuration section <c>Kafka</c>). Every service reads
/// the same keys: <c>Kafka:BootstrapServers</c>, <c>Kafka:BootstrapFile</c> and
/// <c>Kafka:Client:&lt;librdkafka property&gt;</c> (environment: <c>Kafka__Client__security.protocol</c>).
/// </summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>
    /// Comma-separated <c>host:port</c> list of brokers. Default empty: then <see cref="BootstrapFile"/>
    /// is read instead.
    /// </summary>
    public string BootstrapServers { get; init; } = string.Empty;

    /// <summary>
    /// A file holding the bootstrap list, read each time a client configuration is built and used only
    /// when <see cref="BootstrapServers"/> is empty. The development broker publishes its random port
    /// in <c>.state/kafka/bootstrap</c>. Relative paths resolve against the working directory.
    /// Default null (not used).
    /// </summary>
    public string? BootstrapFile { get; init; }

    /// <summary>
    /// librdkafka properties passed to every producer, consumer and admin client verbatim, e.g.
    /// <c>security.protocol</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>sasl.password</c>,
    /// <c>ssl.ca.location</c>, <c>client.id</c>. Default empty (librdkafka's defaults: plaintext).
    /// </summary>
    public IDictionary<string, string> Client { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Begin a new offset epoch on its own when a partition's log ends below the offsets already stored, instead of
    /// stopping that partition until an operator runs <c>batch-layer epoch --topic T --new</c>. Only for brokers that
    /// forget their log on restart, such as the development broker (<c>scripts/lambda</c> sets it); against a real
    /// cluster a log behind the stored offsets needs an operator's judgement. Default false. A topic created again
    /// (new topic id) begins a new epoch either way.
    /// </summary>
    public bool StartNewEpochOnLogRestart { get; init; }

    /// <summary>
    /// How often a consumer checks again whether a stopped partition can be read (a new epoch was begun or the log
    /// caught up). Default 10 seconds; at least 1 second.
    /// </summary>
    public TimeSpan StoppedPartitionRecheck { get; init; } = TimeSpan.FromSeconds(10);
}
