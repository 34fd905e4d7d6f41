using System.Diagnostics;
using Lambda.Shared.Dataset;
using Lambda.SpeedLayer.Consuming;
using Lambda.SpeedLayer.Flushing;
using Lambda.SpeedLayer.Pipeline;
using Microsoft.Extensions.Logging;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Replay;

/// <summary>
/// Kappa mode's view build: before the speed layer joins its consumer group, every partition the master dataset holds
/// is read back in offset order (<see cref="MasterDatasetReplayReader"/>) from where the speed tables end, through the
/// pipeline the Kafka messages go through (enrichment, derivation, filter, aggregation, the same cuts and ordered,
/// verified flushes), up to the archive's committed end. The consumer then resumes each partition from the speed tables
/// as always, which is now the archive's end. The replay position is nothing but the stored offsets: a replay killed at
/// any moment resumes after the last stored flush and counts every event once.
/// </summary>
internal sealed partial class MasterDatasetReplay(
    LambdaCatalog catalog,
    SpeedPipeline pipeline,
    FlushCoordinator coordinator,
    ResumePlanner planner,
    PartitionOwnership ownership,
    IMasterCommitLogs datasets,
    ILogger<MasterDatasetReplay> logger)
{
    /// <summary>Replays every source of the pipeline; returns the number of events folded in (every view's skips aside).</summary>
    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        long events = 0;
        foreach (var topic in pipeline.Topics.Order(StringComparer.Ordinal))
        {
            if (!catalog.TryGetSourceByTopic(topic, out var source))
            {
                continue;
            }

            var snapshot = await datasets.Open(source.Name).LoadSnapshotAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot.CommittedEnds.Count == 0)
            {
                LogNothingArchived(logger, source.Name);
                continue;
            }

            var partitions = snapshot.CommittedEnds.Keys.Order().ToArray();
            var resumes = await planner.PlanAsync(topic, pipeline.ViewsOf(topic), partitions, committed: null, cancellationToken).ConfigureAwait(false);
            var reader = new MasterDatasetReplayReader(source);
            foreach (var resume in resumes)
            {
                events += await ReplayPartitionAsync(reader, snapshot, resume, cancellationToken).ConfigureAwait(false);
            }
        }

        return events;
    }

    private async Task<long> ReplayPartitionAsync(
        MasterDatasetReplayReader reader, MasterDatasetSnapshot snapshot, PartitionResume resume, CancellationToken cancellationToken)
    {
        var end = snapshot.GetCommittedEnd(resume.Partition);
        var from = resume.StartOffset ?? long.MinValue;
        if (from >= end)
        {
            return 0;
        }

        var topic = resume.Topic;
        var started = Stopwatch.GetTimestamp();
        pipeline.Assign(resume);
        ownership.Add(topic, resume.Partition);
        try
        {
            var events = await reader.ReadPartitionAsync(
                snapshot,
                resume.Partition,
                from,
                (record, position) =>
                {
                    pipeline.ProcessArchived(topic, resume.Partition, position, record);

                    // A replay is a backlog until the partition's end: its flushes are paced as one (SpeedLayerOptions.BacklogLag).
                    pipeline.Lag = end - 1 - position;
                    if (pipeline.IsFlushDue())
                    {
                        // Blocks while the writers are full: the replay is paced by ClickHouse, like consumption.
                        Flush(cancellationToken).GetAwaiter().GetResult();
                    }
                },
                cancellationToken).ConfigureAwait(false);
            pipeline.AdvanceTo(topic, resume.Partition, end - 1);
            await Flush(cancellationToken).ConfigureAwait(false);
            await coordinator.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
            TakeCompletions();
            ThrowIfFaulted();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            LogReplayed(logger, topic, resume.Partition, events, from == long.MinValue ? "the start" : from.ToString(System.Globalization.CultureInfo.InvariantCulture), end, seconds, seconds > 0 ? events / seconds : 0);
            return events;
        }
        finally
        {
            pipeline.Unassign(topic, resume.Partition);
            ownership.Remove(topic, resume.Partition);
        }
    }

    private async Task Flush(CancellationToken cancellationToken)
    {
        ThrowIfFaulted();
        await coordinator.EnqueueAsync(pipeline.Cut(_ => true), cancellationToken).ConfigureAwait(false);
        TakeCompletions();
    }

    // Completions only say what to commit to Kafka; a replay commits nothing (the speed tables are its position).
    private void TakeCompletions()
    {
        while (coordinator.TryTakeCompletion(out var completion))
        {
            pipeline.Complete(completion);
        }
    }

    private void ThrowIfFaulted()
    {
        if (coordinator.Fault is { } fault)
        {
            throw new InvalidOperationException("a flush of the replay failed; it resumes from the speed tables when restarted", fault);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay: nothing of source {Source} is archived yet")]
    private static partial void LogNothingArchived(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Topic}[{Partition}] from {From} to the archived end {End}: {Events} events in {Seconds:0.0} s ({Rate:0} events/s)")]
    private static partial void LogReplayed(ILogger logger, string topic, int partition, long events, string from, long end, double seconds, double rate);
}
