using Confluent.Kafka;
using Lambda.BatchLayer.Archive.Fencing;
using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Kafka;
using Lambda.Shared.Kafka.Epochs;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// Archives one source: a member of the source's consumer group that writes every valid event, with its
/// partition and offset, into the master dataset, partitioned by event time. Exactly once: progress lives
/// only in the dataset's commit log (<see cref="IMasterCommitLog"/>: files, or PostgreSQL rows on the s3 kind); on assignment a partition is recovered and
/// resumed from its committed end, never from Kafka's committed offsets (those are committed afterwards
/// for lag monitoring only). All Kafka and file work runs on the calling thread of <see cref="Run"/>, so a
/// rebalance can never interleave with a flush. Offsets are stored as positions of the topic's offset epoch
/// (<see cref="KafkaPosition"/>); where a partition resumes, and whether it may be read at all, is decided by the
/// <see cref="EpochPlanner"/> the speed layer uses too.
/// </summary>
internal sealed class SourceArchiver
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(10);

    private readonly SourceDefinition _source;
    private readonly ArchiverOptions _options;
    private readonly KafkaClientConfigFactory _kafka;
    private readonly ArchiverMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IMasterCommitLog _log;
    private readonly MasterDatasetWriter _writer;
    private readonly EventParser _parser;
    private readonly EventRecord _record;
    private readonly EpochPlanner _epochs;
    private readonly OffsetEpochStatus _epochStatus;
    private readonly TimeSpan _recheck;
    private readonly IArchiverFence _fence;
    private readonly Dictionary<int, PartitionBatch> _batches = [];
    private readonly Dictionary<int, long> _tokens = [];
    private readonly HashSet<int> _stopped = [];
    private OffsetEpoch? _epoch;
    private bool _replanDue;
    private bool _pauseDue;
    private long _lastRecheck;
    private long _buffered;
    private long _firstBufferedAt;
    private bool _failed;

    public SourceArchiver(
        SourceDefinition source,
        IMasterCommitLog log,
        ArchiverOptions options,
        KafkaClientConfigFactory kafka,
        ArchiverMetrics metrics,
        EpochPlanner epochs,
        OffsetEpochStatus epochStatus,
        TimeSpan stoppedPartitionRecheck,
        IArchiverFence fence,
        ILogger logger,
        TimeProvider time)
    {
        _fence = fence;
        _source = source;
        _options = options;
        _kafka = kafka;
        _metrics = metrics;
        _epochs = epochs;
        _epochStatus = epochStatus;
        _recheck = stoppedPartitionRecheck;
        _logger = logger;
        _time = time;
        _writer = new MasterDatasetWriter(log, source, options.FlushToDisk, time: time);
        _log = _writer.Log;
        _parser = new EventParser(source);
        _record = _parser.CreateRecord();
    }

    public string GroupId => _options.GroupIdOf(_source.Name);

    /// <summary>Consumes and archives until <paramref name="stoppingToken"/> fires, then flushes what it holds and leaves the group.</summary>
    public void Run(CancellationToken stoppingToken)
    {
        var config = _kafka.CreateConsumerConfig(GroupId);
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        // Never jump silently: an offset the log does not hold is an error that makes the partitions be planned again.
        config.AutoOffsetReset = AutoOffsetReset.Error;
        config.EnablePartitionEof = false;
        config.SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds;
        config.HeartbeatIntervalMs = Math.Max(100, config.SessionTimeoutMs.Value / 4);
        config.ClientId ??= $"{GroupId}-{Environment.ProcessId}";

        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config)
            .SetValueDeserializer(Deserializers.ByteArray)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .SetErrorHandler((_, error) => _logger.Log(
                error.IsFatal ? LogLevel.Critical : LogLevel.Warning,
                "Archiver {Source}: Kafka error {Code}: {Reason}", _source.Name, error.Code, error.Reason))
            .Build();
        consumer.Subscribe(_source.Topic);
        _logger.LogInformation("Archiving source {Source} from topic {Topic} as group {Group}", _source.Name, _source.Topic, GroupId);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ConsumeResult<Ignore, byte[]>? result;
                try
                {
                    result = consumer.Consume(PollTimeout);
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    _logger.LogWarning(ex, "Archiver {Source}: consume failed: {Reason}", _source.Name, ex.Error.Reason);
                    _replanDue |= ex.Error.Code is ErrorCode.Local_AutoOffsetReset or ErrorCode.OffsetOutOfRange;
                    continue;
                }

                if (_pauseDue)
                {
                    ApplyPauses(consumer);
                }

                if (result?.Message is not null)
                {
                    Accept(result);
                }

                if (ShouldFlush())
                {
                    Flush(consumer, _batches.Values.ToArray());
                }

                if (_replanDue || (_stopped.Count > 0 && _time.GetElapsedTime(_lastRecheck) >= _recheck))
                {
                    Replan(consumer);
                }
            }

            Flush(consumer, _batches.Values.ToArray());
        }
        catch
        {
            // Leaving the group must not write anything more after a failure; the next owner re-reads the rest.
            _failed = true;
            throw;
        }
        finally
        {
            try
            {
                consumer.Close();
            }
            catch (KafkaException ex)
            {
                _logger.LogWarning(ex, "Archiver {Source}: leaving the consumer group failed", _source.Name);
            }
        }
    }

    private void Accept(ConsumeResult<Ignore, byte[]> result)
    {
        var partition = result.Partition.Value;
        if (!_batches.TryGetValue(partition, out var batch))
        {
            _logger.LogWarning("Archiver {Source}: ignoring a message of partition {Partition}, which is not assigned", _source.Name, partition);
            return;
        }

        if (_stopped.Contains(partition))
        {
            // Fetched before the pause took effect; read again from the stored end once the partition may be read.
            return;
        }

        var offset = _epoch!.Position(result.Offset.Value);
        var skipped = batch.Advance(offset);
        if (skipped > 0)
        {
            _metrics.SkippedOffsets(_source.Name, skipped);
            _logger.LogWarning(
                "Archiver {Source}: partition {Partition} continues at offset {Offset}; offsets {From}-{To} were no longer on the broker and cannot be archived",
                _source.Name, partition, KafkaPosition.Format(offset), KafkaPosition.Format(offset - skipped), KafkaPosition.Format(offset - 1));
        }

        if (_buffered++ == 0)
        {
            _firstBufferedAt = _time.GetTimestamp();
        }

        if (_parser.TryParse(result.Message.Value ?? [], _record, out var rejection))
        {
            batch.Rows.Add(_record, offset);
        }
        else
        {
            batch.CountInvalid();
            _metrics.Invalid(_source.Name, rejection.Reason.ToString());
            _logger.LogDebug("Archiver {Source}: partition {Partition} offset {Offset} is not a valid event: {Rejection}", _source.Name, partition, offset, rejection.Message);
        }
    }

    private bool ShouldFlush() =>
        _buffered > 0 && (_buffered >= _options.MaxBatchEvents || _time.GetElapsedTime(_firstBufferedAt) >= _options.FlushInterval);

    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<Ignore, byte[]> consumer, List<TopicPartition> partitions)
    {
        var numbers = partitions.Select(p => p.Partition.Value).ToHashSet();
        // Before the log is read: a member that lost these partitions either has its record in place by now or can no
        // longer write it.
        foreach (var (partition, token) in _fence.TakeAsync(GroupId, numbers, CancellationToken.None).GetAwaiter().GetResult())
        {
            _tokens[partition] = token;
        }

        var recovery = _log.RecoverAsync(numbers, CancellationToken.None).GetAwaiter().GetResult();
        var positions = Plan(consumer, numbers);
        _logger.LogInformation(
            "Archiver {Source}: assigned partitions [{Partitions}] in offset epoch {Epoch}; recovery rolled {RolledForward} files forward and deleted {Deleted} temporary files; resuming at {Positions}",
            _source.Name, string.Join(",", numbers.Order()), _epoch!.Number, recovery.FilesRolledForward, recovery.TempFilesDeleted,
            string.Join(", ", positions.Select(p => $"p{p.Partition.Value}@{(p.Offset == Offset.Beginning ? "beginning" : p.Offset.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}")));
        _pauseDue = true;
        return positions;
    }

    /// <summary>
    /// Plans <paramref name="partitions"/> from their committed ends (<see cref="EpochPlanner"/>) and starts a batch for
    /// each; returns where each is read from. Stopped partitions are read from their committed end once allowed.
    /// </summary>
    private List<TopicPartitionOffset> Plan(IConsumer<Ignore, byte[]> consumer, IReadOnlySet<int> partitions)
    {
        var commits = _log.ReadCommitsAsync(partitions, CancellationToken.None).GetAwaiter().GetResult();
        var ends = new Dictionary<int, StoredProgress>();
        foreach (var partition in partitions)
        {
            var own = commits.Where(c => c.Partition == partition).ToArray();
            CommitLog.CheckChain(own);
            ends[partition] = StoredProgress.At(own.Length == 0 ? null : own[^1].LastOffset + 1);
        }

        var plan = _epochs.PlanAsync(_source.Topic, ends, p => LogOf(consumer, p), CancellationToken.None).GetAwaiter().GetResult();
        _epoch = plan.Epoch;
        _lastRecheck = _time.GetTimestamp();
        var positions = new List<TopicPartitionOffset>();
        foreach (var start in plan.Starts)
        {
            var end = ends[start.Partition].End;
            // In this epoch the batch continues the committed end (the archiver counts offsets the log no longer has);
            // a new epoch's first commit starts at its first message.
            var resume = end is { } e && KafkaPosition.EpochOf(e) == plan.Epoch.Number ? end : null;
            _batches[start.Partition] = new PartitionBatch(_source, start.Partition, resume);
            if (start.IsStopped)
            {
                _stopped.Add(start.Partition);
            }
            else
            {
                _stopped.Remove(start.Partition);
            }

            positions.Add(new TopicPartitionOffset(_source.Topic, start.Partition, start.KafkaOffset is { } o ? new Offset(o) : Offset.Beginning));
        }

        return positions;
    }

    /// <summary>
    /// Plans every assigned partition again: after an offset the log did not hold, and while partitions are stopped (an
    /// operator may have begun a new epoch, or the log caught up). What is buffered is committed first, in its epoch.
    /// </summary>
    private void Replan(IConsumer<Ignore, byte[]> consumer)
    {
        _replanDue = false;
        Flush(consumer, _batches.Values.ToArray());
        var assigned = consumer.Assignment.Select(a => a.Partition.Value).ToHashSet();
        if (assigned.Count == 0)
        {
            _lastRecheck = _time.GetTimestamp();
            return;
        }

        var wasStopped = _stopped.ToHashSet();

        // Not Seek: librdkafka answers it with Local_State for a partition whose fetcher stopped on an offset the log
        // did not hold (auto.offset.reset=error). Assigning again restarts every fetcher at its planned offset.
        consumer.Assign(Plan(consumer, assigned));

        _pauseDue = true;
        foreach (var partition in wasStopped.Except(_stopped))
        {
            _logger.LogInformation("Archiver {Source}: partition {Partition} is read again, in offset epoch {Epoch}", _source.Name, partition, _epoch!.Number);
        }
    }

    private PartitionLog LogOf(IConsumer<Ignore, byte[]> consumer, int partition)
    {
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(_source.Topic, partition), BrokerTimeout);
        return new PartitionLog(watermarks.Low.Value, watermarks.High.Value);
    }

    /// <summary>Pauses the stopped partitions and resumes the others, once the assignment the planner answered is in force.</summary>
    private void ApplyPauses(IConsumer<Ignore, byte[]> consumer)
    {
        _pauseDue = false;
        var assigned = consumer.Assignment;
        var stopped = assigned.Where(tp => _stopped.Contains(tp.Partition.Value)).ToList();
        var readable = assigned.Where(tp => !_stopped.Contains(tp.Partition.Value)).ToList();
        if (stopped.Count > 0)
        {
            consumer.Pause(stopped);
        }

        if (readable.Count > 0)
        {
            consumer.Resume(readable);
        }
    }

    private void OnRevoked(IConsumer<Ignore, byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        // An orderly hand-over: this member still owns the partitions until the handler returns.
        if (!_failed)
        {
            Flush(consumer, partitions.Select(p => _batches.GetValueOrDefault(p.Partition.Value)).OfType<PartitionBatch>().ToArray());
        }

        Forget(partitions, "revoked");
    }

    private void OnLost(IConsumer<Ignore, byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        // Another member may own them already: writing now could store their events twice.
        Forget(partitions, "lost");
    }

    private void Forget(List<TopicPartitionOffset> partitions, string why)
    {
        foreach (var tp in partitions)
        {
            _metrics.RemoveLag(_source.Name, tp.Partition.Value);
            _tokens.Remove(tp.Partition.Value);
            _stopped.Remove(tp.Partition.Value);
            _epochStatus.Clear(_source.Topic, tp.Partition.Value);
            if (_batches.Remove(tp.Partition.Value, out var batch) && batch.HasProgress)
            {
                _buffered -= batch.Messages;
                _logger.LogWarning(
                    "Archiver {Source}: partition {Partition} {Why}; dropped {Events} unflushed messages (its next owner re-reads them)",
                    _source.Name, tp.Partition.Value, why, batch.Messages);
            }
        }

        _buffered = Math.Max(0, _buffered);
        _logger.LogInformation("Archiver {Source}: partitions [{Partitions}] {Why}", _source.Name, string.Join(",", partitions.Select(p => p.Partition.Value)), why);
    }

    private void Flush(IConsumer<Ignore, byte[]> consumer, IReadOnlyList<PartitionBatch> batches)
    {
        var pending = batches.Where(b => b.HasProgress).ToArray();
        if (pending.Length == 0)
        {
            return;
        }

        var started = _time.GetTimestamp();
        var commits = Commit(pending, out var fenced);
        if (fenced.Count > 0)
        {
            FenceOff(consumer, fenced);
            pending = pending.Where(b => !fenced.Contains(b.Partition)).ToArray();
            if (pending.Length == 0)
            {
                return;
            }
        }

        long events = 0;
        foreach (var batch in pending)
        {
            events += batch.Messages;
            _buffered -= batch.Messages;
            batch.Committed();
        }

        _buffered = Math.Max(0, _buffered);
        var elapsed = _time.GetElapsedTime(started);
        _metrics.Flushed(_source.Name, elapsed);
        var invalid = commits.Sum(c => c.InvalidEvents);
        _logger.Log(
            invalid > 0 ? LogLevel.Warning : LogLevel.Information,
            "Archiver {Source}: committed {Events} messages of {Partitions} partitions in {Files} files in {Elapsed} ms: {Valid} events archived, {Invalid} invalid messages not archived",
            _source.Name, events, commits.Length, commits.Sum(c => c.Files.Count), (long)elapsed.TotalMilliseconds, commits.Sum(c => c.ValidEvents), invalid);

        foreach (var commit in commits)
        {
            // The client's cached high watermark: no broker round trip on the archiving thread.
            var high = consumer.GetWatermarkOffsets(new TopicPartition(_source.Topic, commit.Partition)).High;
            if (high != Offset.Unset)
            {
                _metrics.Lag(_source.Name, commit.Partition, high.Value - (KafkaPosition.OffsetOf(commit.LastOffset) + 1));
            }
        }

        try
        {
            consumer.Commit(commits.Select(c => new TopicPartitionOffset(_source.Topic, c.Partition, KafkaPosition.OffsetOf(c.LastOffset) + 1)));
        }
        catch (KafkaException ex)
        {
            _logger.LogDebug(ex, "Archiver {Source}: committing offsets to Kafka for lag monitoring failed (progress lives in the dataset)", _source.Name);
        }
    }

    /// <summary>
    /// Commits <paramref name="pending"/> (data files aside, records, files into place), except the partitions whose
    /// fencing token another member superseded (<paramref name="fenced"/>): checked before the files are written, and
    /// again with the tokens held while the records are written.
    /// </summary>
    private DatasetCommit[] Commit(PartitionBatch[] pending, out IReadOnlySet<int> fenced)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelWrites };
        var early = _fence.SupersededAsync(GroupId, TokensOf(pending), CancellationToken.None).GetAwaiter().GetResult();
        var owned = pending.Where(b => !early.Contains(b.Partition)).ToArray();
        var prepared = new DatasetCommit[owned.Length];
        Parallel.ForEachAsync(
                Enumerable.Range(0, owned.Length),
                parallel,
                async (i, ct) => prepared[i] = await _writer.PrepareAsync(owned[i].Rows, owned[i].Start!.Value, owned[i].Last!.Value, owned[i].Invalid, ct).ConfigureAwait(false))
            .GetAwaiter().GetResult();

        var recorded = new System.Collections.Concurrent.ConcurrentDictionary<int, DatasetCommit>();
        var late = _fence.WriteUnderFenceAsync(
                GroupId,
                TokensOf(owned),
                (current, ct) => Parallel.ForEachAsync(
                    prepared.Where(c => current.Contains(c.Partition)),
                    parallel,
                    async (c, token) => recorded[c.Partition] = await _writer.RecordAsync(c, token).ConfigureAwait(false)),
                CancellationToken.None)
            .GetAwaiter().GetResult();

        var commits = new List<DatasetCommit>(prepared.Length);
        foreach (var prepare in prepared)
        {
            if (late.Contains(prepare.Partition))
            {
                _writer.Discard(prepare);
                continue;
            }

            var commit = recorded[prepare.Partition];

            _metrics.Committed(_source.Name);
            _metrics.FilesWritten(_source.Name, commit.Files.Count);
            _metrics.Archived(_source.Name, commit.ValidEvents);
            commits.Add(commit);
        }

        fenced = early.Union(late).ToHashSet();
        return [.. commits];
    }

    private Dictionary<int, long> TokensOf(IEnumerable<PartitionBatch> batches) =>
        batches.ToDictionary(b => b.Partition, b => _tokens.GetValueOrDefault(b.Partition));

    /// <summary>
    /// Drops the partitions another member took while this one could not tell (paused past its session): their records were
    /// not written, and they are paused until the group's rebalance reaches this member.
    /// </summary>
    private void FenceOff(IConsumer<Ignore, byte[]> consumer, IReadOnlySet<int> partitions)
    {
        _metrics.FencedOff(_source.Name, partitions.Count);
        var fenced = partitions.Order().Select(p => new TopicPartitionOffset(_source.Topic, p, Offset.Unset)).ToList();
        try
        {
            consumer.Pause(fenced.Select(p => p.TopicPartition));
        }
        catch (KafkaException ex)
        {
            _logger.LogDebug(ex, "Archiver {Source}: pausing fenced-off partitions failed (they are being reassigned)", _source.Name);
        }

        Forget(fenced, "fenced off (another member owns them now; their records were not written)");
    }
}
