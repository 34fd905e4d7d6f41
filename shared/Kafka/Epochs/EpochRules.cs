using System.Globalization;

namespace Lambda.Shared.Kafka.Epochs;

/// <summary>
/// The rules that decide, from what a consumer has stored and what the broker reports, whether a topic's offsets
/// restarted and where each partition is read from. The same rules serve the speed layer and the archiver, so both
/// agree on every epoch. Pure: no I/O.
/// </summary>
public static class EpochRules
{
    /// <summary>Decides for the partitions of one topic.</summary>
    /// <param name="current">The topic's current epoch.</param>
    /// <param name="brokerTopicId">The topic id the broker reports now; empty when it reports none.</param>
    /// <param name="stored">Per assigned partition, what the consumer has stored.</param>
    /// <param name="logOf">The broker's log start and end of a partition (asked only for partitions stored in the current epoch).</param>
    /// <param name="startOnLogRestart">Begin a new epoch on its own when a log ends below what is stored (for brokers that forget their log, such as the dev broker); otherwise such a partition stops.</param>
    public static EpochDecision Decide(
        OffsetEpoch current,
        string brokerTopicId,
        IReadOnlyDictionary<int, StoredProgress> stored,
        Func<int, PartitionLog> logOf,
        bool startOnLogRestart)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(logOf);
        if (current.TopicId.Length > 0 && brokerTopicId.Length > 0 && current.TopicId != brokerTopicId)
        {
            return new EpochDecision(
                $"topic '{current.Topic}' now has topic id {brokerTopicId}, epoch {current.Number} belongs to topic id {current.TopicId}: the topic was created again",
                false,
                []);
        }

        var starts = new List<PartitionStart>(stored.Count);
        foreach (var (partition, progress) in stored.OrderBy(s => s.Key))
        {
            if (progress.End is not { } end || KafkaPosition.EpochOf(end) < current.Number)
            {
                starts.Add(new PartitionStart(partition, current.StartOf(partition)));
                continue;
            }

            var epoch = KafkaPosition.EpochOf(end);
            if (epoch > current.Number)
            {
                starts.Add(new PartitionStart(partition, null, Text(
                    $"topic '{current.Topic}' partition {partition}: what is stored reaches epoch {epoch}, but the registry's current epoch is {current.Number}; the epoch registry lost rows")));
                continue;
            }

            var offset = KafkaPosition.OffsetOf(end);
            var log = logOf(partition);
            if (log.High < offset)
            {
                if (startOnLogRestart)
                {
                    return new EpochDecision(
                        Text($"topic '{current.Topic}' partition {partition}: the log ends at offset {log.High}, below offset {offset} up to which epoch {current.Number} is stored: the log restarted"),
                        false,
                        []);
                }

                starts.Add(new PartitionStart(partition, offset, Text(
                    $"topic '{current.Topic}' partition {partition}: the log ends at offset {log.High}, below offset {offset} up to which epoch {current.Number} is stored. Either the broker lost its log or the topic was created again (start a new epoch: 'dotnet run --project batch-layer -- epoch --topic {current.Topic} --new'), or the log is catching up (wait)")));
                continue;
            }

            // Below the log start the broker no longer has those offsets: read from what it has (the archiver counts the gap).
            starts.Add(progress.ReadFrom is { } from && KafkaPosition.EpochOf(from) == current.Number
                ? new PartitionStart(partition, Math.Max(KafkaPosition.OffsetOf(from), log.Low))
                : new PartitionStart(partition, current.StartOf(partition)));
        }

        var adopt = current.TopicId.Length == 0 && brokerTopicId.Length > 0 && starts.All(s => !s.IsStopped);
        return new EpochDecision(null, adopt, starts);
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
