using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Lambda.Shared.Kafka.Epochs;

/// <summary>
/// What a consuming process knows about epochs right now: the current epoch per topic and the partitions it
/// stopped. Health checks read it; its meter (<see cref="MeterName"/>) exports the same as metrics:
/// <c>lambda.kafka.epoch</c> (current epoch per topic), <c>lambda.kafka.epochs.started</c> (epochs this process
/// began) and <c>lambda.kafka.partitions.stopped</c> (1 per stopped partition). Thread-safe.
/// </summary>
public sealed class OffsetEpochStatus : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Lambda.Kafka.Epochs";

    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly ConcurrentDictionary<string, int> _epochs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Topic, int Partition), StoppedPartition> _stopped = new();

    /// <summary>Creates the instruments through <paramref name="meterFactory"/> (or a private meter when null).</summary>
    public OffsetEpochStatus(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _started = _meter.CreateCounter<long>("lambda.kafka.epochs.started", "{epoch}", "Offset epochs this process began because a topic's offsets restarted");
        _meter.CreateObservableGauge(
            "lambda.kafka.epoch",
            () => _epochs.Select(e => new Measurement<long>(e.Value, new KeyValuePair<string, object?>("topic", e.Key))),
            "{epoch}",
            "The current offset epoch of each consumed topic");
        _meter.CreateObservableGauge(
            "lambda.kafka.partitions.stopped",
            () => _stopped.Keys.Select(k => new Measurement<long>(
                1,
                new KeyValuePair<string, object?>("topic", k.Topic),
                new KeyValuePair<string, object?>("partition", k.Partition.ToString(CultureInfo.InvariantCulture)))),
            "{partition}",
            "Partitions not read because the broker's log is behind the offsets already stored");
    }

    /// <summary>The stopped partitions, ordered by topic and partition.</summary>
    public IReadOnlyList<StoppedPartition> Stopped =>
        _stopped.Values.OrderBy(s => s.Topic, StringComparer.Ordinal).ThenBy(s => s.Partition).ToArray();

    /// <summary>The current epoch of <paramref name="topic"/> as last planned, or null before the first plan.</summary>
    public int? EpochOf(string topic) => _epochs.TryGetValue(topic, out var epoch) ? epoch : null;

    internal void Current(string topic, int epoch) => _epochs[topic] = epoch;

    internal void Began(string topic) => _started.Add(1, new KeyValuePair<string, object?>("topic", topic));

    internal void Stop(StoppedPartition partition) => _stopped.TryAdd((partition.Topic, partition.Partition), partition);

    /// <summary>Forgets a partition that reads again or that this process no longer owns.</summary>
    public void Clear(string topic, int partition) => _stopped.TryRemove((topic, partition), out _);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
