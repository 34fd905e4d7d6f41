using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Kafka.Epochs;

/// <summary>
/// Plans where a consumer reads the partitions it was assigned: reads the topic's epochs and its id, applies
/// <see cref="EpochRules"/>, begins a new epoch when the rules say the offsets restarted (registering epoch 0 the
/// first time a topic is seen), and records stopped partitions in <see cref="OffsetEpochStatus"/>. The speed layer
/// and the archiver both plan through it, so they agree on every epoch.
/// </summary>
public sealed partial class EpochPlanner(
    IOffsetEpochRegistry registry,
    ITopicIdReader topicIds,
    OffsetEpochStatus status,
    IOptions<KafkaOptions> options,
    TimeProvider time,
    ILogger<EpochPlanner> logger)
{
    // A new epoch resolves what began it; more than one in a row would mean the rules disagree with themselves.
    private const int MaxEpochsPerPlan = 2;

    /// <summary>Plans the partitions of <paramref name="topic"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="stored">Per assigned partition, what the caller has stored.</param>
    /// <param name="logOf">Asks the broker for a partition's log start and end.</param>
    /// <param name="cancellationToken">Cancels the registry and broker calls.</param>
    public async Task<EpochPlan> PlanAsync(
        string topic, IReadOnlyDictionary<int, StoredProgress> stored, Func<int, PartitionLog> logOf, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(logOf);
        var brokerTopicId = await topicIds.ReadAsync(topic, cancellationToken).ConfigureAwait(false);
        var logs = new Dictionary<int, PartitionLog>();
        PartitionLog LogOf(int partition) => logs.TryGetValue(partition, out var log) ? log : logs[partition] = logOf(partition);

        for (var begun = 0; ; begun++)
        {
            var epochs = await registry.ReadAsync(topic, cancellationToken).ConfigureAwait(false);
            var current = epochs.Count > 0 ? epochs[^1] : await RegisterFirstAsync(topic, brokerTopicId, stored, cancellationToken).ConfigureAwait(false);
            var decision = EpochRules.Decide(current, brokerTopicId, stored, LogOf, options.Value.StartNewEpochOnLogRestart);
            if (decision.NewEpochReason is { } reason)
            {
                if (begun == MaxEpochsPerPlan)
                {
                    throw new InvalidOperationException($"topic '{topic}': began {begun} epochs in one plan and the offsets still do not fit: {reason}");
                }

                await registry.AppendAsync(
                        new OffsetEpoch(topic, current.Number + 1, brokerTopicId, new Dictionary<int, long>(), time.GetUtcNow(), reason),
                        cancellationToken)
                    .ConfigureAwait(false);
                status.Began(topic);
                LogBegan(logger, topic, current.Number + 1, reason);
                continue;
            }

            if (decision.AdoptTopicId)
            {
                await registry.AppendAsync(
                        current with { TopicId = brokerTopicId, CreatedAt = time.GetUtcNow(), Reason = "topic id learned" },
                        cancellationToken)
                    .ConfigureAwait(false);
            }

            Record(topic, current.Number, decision.Starts);
            return new EpochPlan(current, decision.Starts);
        }
    }

    private async Task<OffsetEpoch> RegisterFirstAsync(
        string topic, string brokerTopicId, IReadOnlyDictionary<int, StoredProgress> stored, CancellationToken cancellationToken)
    {
        // Offsets stored before epochs existed may belong to an earlier incarnation of the topic: its id stays
        // unknown until the log offsets confirm the stored ones (EpochRules adopts it then).
        var known = stored.Values.Any(v => v.End is not null) ? string.Empty : brokerTopicId;
        var first = new OffsetEpoch(topic, 0, known, new Dictionary<int, long>(), time.GetUtcNow(), "first epoch of the topic");
        await registry.AppendAsync(first, cancellationToken).ConfigureAwait(false);
        LogBegan(logger, topic, 0, first.Reason);
        return first;
    }

    private void Record(string topic, int epoch, IReadOnlyList<PartitionStart> starts)
    {
        status.Current(topic, epoch);
        foreach (var start in starts)
        {
            if (start.IsStopped)
            {
                status.Stop(new StoppedPartition(topic, start.Partition, start.StopReason!, time.GetUtcNow()));
                LogStopped(logger, topic, start.Partition, start.StopReason!);
            }
            else
            {
                status.Clear(topic, start.Partition);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: offset epoch {Epoch} begins: {Reason}")]
    private static partial void LogBegan(ILogger logger, string topic, int epoch, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Topic {Topic} partition {Partition} is not read: {Reason}")]
    private static partial void LogStopped(ILogger logger, string topic, int partition, string reason);
}
