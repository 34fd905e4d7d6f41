using System.Globalization;
using Confluent.Kafka;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Kafka;
using Lambda.Shared.Kafka.Epochs;
using Lambda.Shared.Telemetry;
using Lambda.SpeedLayer.Flushing;
using Lambda.SpeedLayer.Health;
using Lambda.SpeedLayer.Metrics;
using Lambda.SpeedLayer.Pipeline;
using Microsoft.Extensions.Logging;
using Polly;

namespace Lambda.SpeedLayer.Consuming;

/// <summary>
/// Drives a <see cref="SpeedPipeline"/> from Kafka on one dedicated thread: subscribes to the source topics
/// in the consumer group, resumes each assigned partition from what the speed tables hold, processes
/// messages, cuts batches on time, count or size, pauses while ClickHouse cannot keep up, flushes revoked
/// partitions before giving them up, and commits offsets (advisory) once they are stored. The pipeline sees
/// positions (<see cref="KafkaPosition"/>): the Kafka offset in the topic's current offset epoch, which the
/// <see cref="EpochPlanner"/> decides on assignment, like the archiver's; a partition whose log is behind what
/// the speed tables hold is paused until an operator begins a new epoch or the log catches up.
/// </summary>
internal sealed partial class KafkaSpeedConsumer
{
    private static readonly ResiliencePropertyKey<string> ResumeTopic = new("lambda.resume-topic");
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(10);

    private readonly SpeedPipeline _pipeline;
    private readonly FlushCoordinator _coordinator;
    private readonly ResumePlanner _planner;
    private readonly PartitionOwnership _ownership;
    private readonly KafkaClientConfigFactory _kafka;
    private readonly SpeedLayerOptions _options;
    private readonly SpeedLayerMetrics _metrics;
    private readonly SpeedLayerStatus _status;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _resumeRetry;
    private readonly EpochPlanner _epochs;
    private readonly OffsetEpochStatus _epochStatus;
    private readonly TimeSpan _recheck;
    private readonly Dictionary<string, OffsetEpoch> _epochOf = new(StringComparer.Ordinal);
    private readonly HashSet<(string Topic, int Partition)> _stopped = [];

    // Per partition, the offset below which evicted offsets have been counted: plans repeat while the stored progress
    // stays behind (nothing read in between), and each would count the same gap again.
    private readonly Dictionary<(string Topic, int Partition), (int Epoch, long Offset)> _skippedBelow = [];
    private bool _replanDue;
    private bool _pauseDue;
    private long _lastRecheck;
    private CancellationToken _stopping;
    private bool _paused;
    private bool _blocked;

    public KafkaSpeedConsumer(
        SpeedPipeline pipeline,
        FlushCoordinator coordinator,
        ResumePlanner planner,
        PartitionOwnership ownership,
        KafkaClientConfigFactory kafka,
        SpeedLayerOptions options,
        SpeedLayerMetrics metrics,
        SpeedLayerStatus status,
        EpochPlanner epochs,
        OffsetEpochStatus epochStatus,
        TimeSpan stoppedPartitionRecheck,
        ILogger<KafkaSpeedConsumer> logger,
        TimeProvider time)
    {
        _epochs = epochs;
        _epochStatus = epochStatus;
        _recheck = stoppedPartitionRecheck;
        _pipeline = pipeline;
        _coordinator = coordinator;
        _planner = planner;
        _ownership = ownership;
        _kafka = kafka;
        _options = options;
        _metrics = metrics;
        _status = status;
        _logger = logger;
        _time = time;
        _resumeRetry = ClickHouseRetry.Create(
            options.RetryPolicy,
            time,
            args =>
            {
                LogResumeRetry(_logger, args.Outcome.Exception, args.Context.Properties.GetValue(ResumeTopic, string.Empty), args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            });
    }

    /// <summary>
    /// Runs the consumer on its own thread until <paramref name="stoppingToken"/> fires, then leaves the
    /// group gracefully (flush, then commit). Fails when a flush writer failed or Kafka reported a fatal error.
    /// </summary>
    public Task RunAsync(CancellationToken stoppingToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "speed-layer-consumer",
        };
        thread.Start();
        return done.Task;
    }

    internal ConsumerConfig BuildConfig()
    {
        var config = _kafka.CreateConsumerConfig(_options.GroupId);
        config.EnableAutoCommit = true;
        config.AutoCommitIntervalMs = 1000;
        // Offsets are stored only once ClickHouse holds the data (and are advisory even then).
        config.EnableAutoOffsetStore = false;
        // Never jump silently: an offset the log does not hold is an error that makes the partitions be planned again.
        config.AutoOffsetReset = AutoOffsetReset.Error;
        config.EnablePartitionEof = false;
        // The timestamp measures freshness; the headers carry the producer's trace context (traceparent).
        config.ConsumeResultFields = "topic,timestamp,headers";
        // Throughput defaults unless Kafka:Client sets them: with librdkafka's own (fetch.queue.backoff.ms
        // 1000, queued.min.messages 100000) fetching stalls for a second whenever the local queue is
        // "full enough", which held consumption to ~250k msg/s on the dev broker; with these, ~1M msg/s.
        // A fetch returns as soon as data is there on Kafka; the dev broker holds it up to fetch.wait.max.ms,
        // so 10 ms (instead of 500) took ~150 ms off the freshness p50 and ~250 ms off its p99.
        Default(config, "fetch.queue.backoff.ms", "10");
        Default(config, "queued.min.messages", "1000000");
        Default(config, "fetch.wait.max.ms", "10");
        config.MaxPollIntervalMs = (int)_options.MaxPollInterval.TotalMilliseconds;
        if (_options.GroupProtocol == "consumer")
        {
            config.GroupProtocol = GroupProtocol.Consumer;
        }
        else
        {
            var session = (int)_options.SessionTimeout.TotalMilliseconds;
            config.SessionTimeoutMs = session;
            config.HeartbeatIntervalMs = Math.Max(100, Math.Min(3000, session / 3));
        }

        return config;
    }

    private static void Default(ConsumerConfig config, string key, string value)
    {
        if (config.Get(key) is null)
        {
            config.Set(key, value);
        }
    }

    private void Run(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        if (_pipeline.Topics.Count == 0)
        {
            LogNoViews(_logger);
            _status.Consuming = true;
            stoppingToken.WaitHandle.WaitOne();
            return;
        }

        using var consumer = new ConsumerBuilder<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>(BuildConfig())
            .SetKeyDeserializer(new BufferDeserializer())
            .SetValueDeserializer(new BufferDeserializer())
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions))
            .SetPartitionsLostHandler((c, partitions) => OnLost(partitions))
            .SetErrorHandler((_, error) => LogKafkaError(_logger, error.IsFatal ? LogLevel.Error : LogLevel.Warning, error.Code, error.Reason))
            .SetLogHandler((_, message) => LogKafka(_logger, message.Facility, message.Message))
            .Build();
        consumer.Subscribe(_pipeline.Topics);
        LogSubscribed(_logger, string.Join(", ", _pipeline.Topics), _options.GroupId);
        _status.Consuming = true;
        try
        {
            Loop(consumer, stoppingToken);
        }
        finally
        {
            _status.Consuming = false;
            // Close runs the revocation handler: pending deltas are flushed, then offsets committed.
            consumer.Close();
        }

        if (_coordinator.Fault is { } fault)
        {
            throw new InvalidOperationException("a flush failed; the speed layer stopped without committing", fault);
        }
    }

    private void Loop(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, CancellationToken stoppingToken)
    {
        var pollTimeout = _options.PollTimeout;
        var metricsEvery = (long)(_options.MetricsInterval.TotalSeconds * _time.TimestampFrequency);
        var lastMetrics = _time.GetTimestamp();

        // The lag decides how flushes are paced: measured at least as often as a flush may be due.
        var lagEvery = Math.Min(metricsEvery, (long)(_options.FlushInterval.TotalSeconds * _time.TimestampFrequency));
        var lastLag = lastMetrics;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_coordinator.Fault is not null)
            {
                return;
            }

            TakeCompletions(consumer);
            if (_blocked)
            {
                _coordinator.Enqueue(_pipeline.Cut(_coordinator.CanAccept));
                _blocked = _pipeline.IsCutIncomplete;
                if (_blocked)
                {
                    Pause(consumer);
                    // Keeps the group membership alive; a message fetched before the pause goes back.
                    if (Consume(consumer, pollTimeout) is { Message: not null } early)
                    {
                        consumer.Seek(early.TopicPartitionOffset);
                    }

                    continue;
                }

                Resume(consumer);
            }

            if (_pauseDue)
            {
                ApplyPauses(consumer);
            }

            var result = Consume(consumer, pollTimeout);
            if (result is { IsPartitionEOF: false, Message: { } message } && !_stopped.Contains((result.Topic, result.Partition.Value)))
            {
                KafkaTraceContext.TryExtract(message.Headers, out var producer);
                var recordMs = message.Timestamp.Type == TimestampType.NotAvailable ? 0 : message.Timestamp.UnixTimestampMs;
                var position = _epochOf[result.Topic].Position(result.Offset.Value);
                _pipeline.Process(result.Topic, result.Partition.Value, position, message.Key.Span, message.Value.Span, recordMs, producer);
            }

            if (_replanDue || (_stopped.Count > 0 && _time.GetElapsedTime(_lastRecheck) >= _recheck))
            {
                Replan(consumer);
            }

            var now = _time.GetTimestamp();
            if (now - lastLag >= lagEvery)
            {
                MeasureLag(consumer, publish: false);
                lastLag = now;
            }

            if (_pipeline.IsFlushDue())
            {
                _coordinator.Enqueue(_pipeline.Cut(_coordinator.CanAccept));
                _blocked = _pipeline.IsCutIncomplete;
            }

            if (now - lastMetrics >= metricsEvery)
            {
                PublishMetrics(consumer, _time.GetElapsedTime(lastMetrics, now));
                lastMetrics = now;
                lastLag = now;
            }
        }
    }

    private ConsumeResult<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? Consume(
        IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            // E.g. a subscribed topic that does not exist yet: librdkafka keeps watching for it.
            LogConsumeError(_logger, ex.Error.Code, ex.Error.Reason);
            _replanDue |= ex.Error.Code is ErrorCode.Local_AutoOffsetReset or ErrorCode.OffsetOutOfRange;
            return null;
        }
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, List<TopicPartition> partitions)
    {
        // Writes of an earlier assignment must be visible before the stored offsets are read.
        Drain("assignment");
        var starts = Plan(consumer, partitions);
        _paused = false;
        _status.AssignedPartitions = _ownership.Count;
        _metrics.Assigned(_ownership.Count);
        return starts;
    }

    /// <summary>
    /// Reads what the speed tables hold of <paramref name="partitions"/>, plans them in their topic's offset epoch
    /// and hands them to the pipeline; returns where each is read from. Stopped ones are paused once assigned.
    /// </summary>
    private List<TopicPartitionOffset> Plan(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartition> partitions)
    {
        var starts = new List<TopicPartitionOffset>();
        var behind = new List<(int Index, int Epoch, long From)>();
        foreach (var topicGroup in partitions.GroupBy(p => p.Topic))
        {
            var topic = topicGroup.Key;
            var numbers = topicGroup.Select(p => p.Partition.Value).ToArray();
            // The committed Kafka offsets stay a valid lower bound for the stored positions of any epoch.
            var resumes = ReadStoredOffsets(topic, numbers, CommittedOffsets(consumer, topicGroup));
            var progress = resumes.ToDictionary(r => r.Partition, r => new StoredProgress(r.StartOffset, r.StoredLastOffsets.Max() + 1));
            var plan = _epochs.PlanAsync(topic, progress, p => LogOf(consumer, topic, p), _stopping).GetAwaiter().GetResult();
            _epochOf[topic] = plan.Epoch;
            foreach (var resume in resumes)
            {
                var start = plan.Starts.Single(s => s.Partition == resume.Partition);
                if (EvictedFrom(resume, start, plan.Epoch.Number) is { } from)
                {
                    behind.Add((starts.Count, plan.Epoch.Number, from));
                }

                _pipeline.Assign(resume);
                _ownership.Add(topic, resume.Partition);
                if (start.IsStopped)
                {
                    _stopped.Add((topic, resume.Partition));
                }
                else
                {
                    _stopped.Remove((topic, resume.Partition));
                }

                starts.Add(new TopicPartitionOffset(topic, resume.Partition, start.KafkaOffset is { } offset ? new Offset(offset) : Offset.Beginning));
            }

            LogAssigned(_logger, numbers.Length, topic, plan.Epoch.Number, string.Join(
                ", ", plan.Starts.Select(s => $"{s.Partition}@{(s.IsStopped ? "stopped" : s.KafkaOffset is { } o ? o.ToString(CultureInfo.InvariantCulture) : "beginning")}")));
        }

        foreach (var (index, epoch, from) in behind)
        {
            starts[index] = AheadOfRetention(consumer, starts[index], epoch, from);
        }

        _lastRecheck = _time.GetTimestamp();
        _pauseDue = true;
        return starts;
    }

    /// <summary>
    /// Where a partition whose stored progress fell out of retention is read from: planning every partition takes
    /// seconds under load, and the log's start moves on meanwhile, so a start fixed at plan time was evicted again before
    /// the fetch (a soak's speed layer planned again and again for 20 minutes). librdkafka's logical beginning does not
    /// help: it resolves to the log start its last fetch saw. So the log is asked again right before the assignment, and
    /// reading starts a margin of one twentieth of the retained log above its start, which holds while the assignment
    /// reaches the fetcher. Everything below is counted as skipped: the next recompute brings it into the answers.
    /// </summary>
    private TopicPartitionOffset AheadOfRetention(
        IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, TopicPartitionOffset planned, int epoch, long from)
    {
        var log = LogOf(consumer, planned.Topic, planned.Partition.Value);
        var start = Math.Max(planned.Offset.Value, Math.Min(log.High, log.Low + ((log.High - log.Low) / 20)));
        CountSkipped(planned.Topic, planned.Partition.Value, epoch, from, start);
        return new TopicPartitionOffset(planned.TopicPartition, new Offset(start));
    }

    /// <summary>
    /// The Kafka offset the speed tables hold a partition up to (exclusive) when retention evicted what follows before
    /// the speed layer read it; null otherwise. Not lost (the archiver keeps its own position), but missing from the
    /// answers until the next recompute covers them.
    /// </summary>
    private static long? EvictedFrom(PartitionResume resume, PartitionStart start, int epoch) =>
        resume.StartOffset is { } from && start.KafkaOffset is { } offset && !start.IsStopped
            && KafkaPosition.EpochOf(from) == epoch && offset > KafkaPosition.OffsetOf(from)
            ? KafkaPosition.OffsetOf(from)
            : null;

    /// <summary>Counts and logs offsets <paramref name="from"/> up to <paramref name="to"/> (exclusive) as skipped, each once.</summary>
    private void CountSkipped(string topic, int partition, int epoch, long from, long to)
    {
        if (_skippedBelow.TryGetValue((topic, partition), out var counted) && counted.Epoch == epoch)
        {
            from = Math.Max(from, counted.Offset);
        }

        if (to > from)
        {
            _skippedBelow[(topic, partition)] = (epoch, to);
            _metrics.OffsetsSkipped(topic, to - from);
            LogSkipped(_logger, topic, partition, from, to - 1, to - from);
        }
    }

    /// <summary>
    /// Plans every assigned partition again: after an offset the log did not hold, and while partitions are stopped (an
    /// operator may have begun a new epoch, or the log caught up). Everything pending is stored first, in its epoch.
    /// </summary>
    private void Replan(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer)
    {
        _replanDue = false;
        _lastRecheck = _time.GetTimestamp();
        var assigned = consumer.Assignment;
        if (assigned.Count == 0 || !FlushAll("a new plan of the partitions"))
        {
            return;
        }

        TakeCompletions(consumer);
        foreach (var tp in assigned)
        {
            _ownership.Remove(tp.Topic, tp.Partition.Value);
            _pipeline.Unassign(tp.Topic, tp.Partition.Value);
        }

        var was = _stopped.ToHashSet();

        // Not Seek: librdkafka answers it with Local_State for a partition whose fetcher stopped on an offset the log
        // did not hold (auto.offset.reset=error). Assigning again restarts every fetcher at its planned offset.
        consumer.Assign(Plan(consumer, assigned));

        foreach (var (topic, partition) in was.Except(_stopped))
        {
            LogReadAgain(_logger, topic, partition, _epochOf[topic].Number);
        }
    }

    private static PartitionLog LogOf(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, string topic, int partition)
    {
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), BrokerTimeout);
        return new PartitionLog(watermarks.Low.Value, watermarks.High.Value);
    }

    /// <summary>Pauses the stopped partitions and resumes the others, once the assignment the plan answered is in force.</summary>
    private void ApplyPauses(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer)
    {
        _pauseDue = false;
        var assigned = consumer.Assignment;
        var stopped = assigned.Where(tp => _stopped.Contains((tp.Topic, tp.Partition.Value))).ToList();
        if (stopped.Count > 0)
        {
            consumer.Pause(stopped);
        }

        if (!_paused)
        {
            var readable = assigned.Where(tp => !_stopped.Contains((tp.Topic, tp.Partition.Value))).ToList();
            if (readable.Count > 0)
            {
                consumer.Resume(readable);
            }
        }
    }

    private void OnRevoked(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, List<TopicPartitionOffset> partitions)
    {
        if (_coordinator.Fault is null)
        {
            // Revoked partitions are flushed first, so their next owner resumes after everything consumed here.
            var flushed = FlushAll("revocation");
            if (flushed)
            {
                TakeCompletions(consumer);
                Commit(consumer);
            }
        }

        foreach (var tp in partitions)
        {
            Forget(tp.Topic, tp.Partition.Value);
        }

        LogRevoked(_logger, partitions.Count);
        _paused = false;
        _blocked = false;
        _status.AssignedPartitions = _ownership.Count;
        _metrics.Assigned(_ownership.Count);
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        // Another member may own them already: nothing of theirs is written any more.
        foreach (var tp in partitions)
        {
            Forget(tp.Topic, tp.Partition.Value);
        }

        LogLost(_logger, partitions.Count);
        _paused = false;
        _blocked = _pipeline.IsCutIncomplete;
        _status.AssignedPartitions = _ownership.Count;
        _metrics.Assigned(_ownership.Count);
    }

    private void Forget(string topic, int partition)
    {
        _stopped.Remove((topic, partition));
        _skippedBelow.Remove((topic, partition));
        _epochStatus.Clear(topic, partition);
        _ownership.Remove(topic, partition);
        _pipeline.Unassign(topic, partition);
        _metrics.RemoveLag(topic, partition);
    }

    /// <summary>Cuts everything pending and waits (bounded by DrainTimeout) until ClickHouse holds it.</summary>
    private bool FlushAll(string reason)
    {
        using var timeout = new CancellationTokenSource(_options.DrainTimeout);
        try
        {
            _coordinator.EnqueueAsync(_pipeline.Cut(_ => true), timeout.Token).GetAwaiter().GetResult();
            _coordinator.WhenIdleAsync(timeout.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            LogDrainTimeout(_logger, reason, _options.DrainTimeout.TotalSeconds);
            return false;
        }
        catch (Exception ex) when (_coordinator.Fault is not null)
        {
            LogDrainFailed(_logger, ex, reason);
            return false;
        }
    }

    private void Drain(string reason)
    {
        using var timeout = new CancellationTokenSource(_options.DrainTimeout);
        try
        {
            _coordinator.WhenIdleAsync(timeout.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            LogDrainTimeout(_logger, reason, _options.DrainTimeout.TotalSeconds);
        }
        catch (Exception ex) when (_coordinator.Fault is not null)
        {
            LogDrainFailed(_logger, ex, reason);
        }
    }

    /// <summary>The group's committed offsets, used only as where to start looking in the speed tables.</summary>
    private IReadOnlyDictionary<int, long>? CommittedOffsets(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartition> partitions)
    {
        try
        {
            return consumer.Committed(partitions, TimeSpan.FromSeconds(10))
                .Where(c => c.Offset.Value >= 0)
                .ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        }
        catch (KafkaException ex)
        {
            LogCommittedUnavailable(_logger, ex.Error.Reason);
            return null;
        }
    }

    private IReadOnlyList<PartitionResume> ReadStoredOffsets(string topic, int[] partitions, IReadOnlyDictionary<int, long>? committed)
    {
        var views = _pipeline.ViewsOf(topic);
        // Retried while ClickHouse is away, but not past half the poll interval: a member that does not
        // poll for that long leaves the group anyway. The waits end early when the consumer stops.
        var context = ResilienceContextPool.Shared.Get(_stopping);
        context.Properties.Set(ClickHouseRetry.Deadline, _time.GetUtcNow() + _options.MaxPollInterval / 2);
        context.Properties.Set(ResumeTopic, topic);
        try
        {
            // The rebalance callback is synchronous: it blocks this consumer's thread, as Kafka expects.
            return _resumeRetry.ExecuteAsync(
                    static async (ctx, state) => await state.Planner.PlanAsync(state.Topic, state.Views, state.Partitions, state.Committed, ctx.CancellationToken)
                        .ConfigureAwait(false),
                    context,
                    (Planner: _planner, Topic: topic, Views: views, Partitions: partitions, Committed: committed))
                .AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private void TakeCompletions(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer)
    {
        while (_coordinator.TryTakeCompletion(out var completion))
        {
            foreach (var (topic, partition, next) in _pipeline.Complete(completion))
            {
                if (!_epochOf.TryGetValue(topic, out var epoch) || KafkaPosition.EpochOf(next) != epoch.Number)
                {
                    // Positions of an earlier epoch are not offsets of this broker's log.
                    continue;
                }

                try
                {
                    consumer.StoreOffset(new TopicPartitionOffset(topic, partition, KafkaPosition.OffsetOf(next)));
                }
                catch (KafkaException ex)
                {
                    LogStoreFailed(_logger, topic, partition, ex.Error.Reason);
                }
            }
        }
    }

    private void Commit(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer)
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException ex)
        {
            // Nothing stored to commit, or the group is rebalancing: the stored speed tables are what counts.
            LogCommitSkipped(_logger, ex.Error.Reason);
        }
    }

    private void Pause(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer)
    {
        if (_paused)
        {
            return;
        }

        consumer.Pause(consumer.Assignment);
        _paused = true;
        _metrics.Paused(true);
        LogPaused(_logger, _coordinator.Queued);
    }

    private void Resume(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer)
    {
        if (!_paused)
        {
            return;
        }

        consumer.Resume(consumer.Assignment.Where(tp => !_stopped.Contains((tp.Topic, tp.Partition.Value))).ToList());
        _paused = false;
        _metrics.Paused(false);
        LogResumed(_logger);
    }

    private void PublishMetrics(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, TimeSpan elapsed)
    {
        foreach (var (source, events) in _pipeline.TakeEventCounts())
        {
            _metrics.EventsProcessed(source, events, elapsed.TotalSeconds);
        }

        MeasureLag(consumer, publish: true);
    }

    /// <summary>
    /// Per assigned partition, the events between what was processed and the log's end as the last fetch saw it (librdkafka's
    /// cached watermarks, no broker call); their sum over the partitions that are read goes to the pipeline, which paces its
    /// flushes by it (<see cref="SpeedLayerOptions.BacklogLag"/>). A stopped partition is not read, so it does not count.
    /// </summary>
    private void MeasureLag(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, bool publish)
    {
        long total = 0;
        foreach (var (topic, partition, last) in _pipeline.Positions)
        {
            var watermarks = consumer.GetWatermarkOffsets(new TopicPartition(topic, partition));
            if (watermarks.High == Offset.Unset)
            {
                continue;
            }

            var position = last >= 0 && _epochOf.TryGetValue(topic, out var epoch) && KafkaPosition.EpochOf(last) == epoch.Number
                ? KafkaPosition.OffsetOf(last) + 1
                : watermarks.Low.Value;
            var lag = Math.Max(0, watermarks.High.Value - position);
            if (publish)
            {
                _metrics.Lag(topic, partition, lag);
            }

            if (!_stopped.Contains((topic, partition)))
            {
                total += lag;
            }
        }

        _pipeline.Lag = total;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The catalog has no views; nothing to consume")]
    private static partial void LogNoViews(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to {Topics} in consumer group {Group}")]
    private static partial void LogSubscribed(ILogger logger, string topics, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned {Count} partition(s) of {Topic} in offset epoch {Epoch}, resuming from the speed tables: {Starts}")]
    private static partial void LogAssigned(ILogger logger, int count, string topic, int epoch, string starts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic} partition {Partition} is read again, in offset epoch {Epoch}")]
    private static partial void LogReadAgain(ILogger logger, string topic, int partition, int epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked {Count} partition(s) after flushing them")]
    private static partial void LogRevoked(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost {Count} partition(s) to the group (session expired); their unflushed events are dropped and consumed again by the new owner")]
    private static partial void LogLost(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Flushes did not reach ClickHouse within {Seconds} s during {Reason}; nothing is committed and the events will be consumed again")]
    private static partial void LogDrainTimeout(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A flush failed during {Reason}")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading stored offsets of {Topic} failed; retrying in {DelayMs:0} ms")]
    private static partial void LogResumeRetry(ILogger logger, Exception? exception, string topic, double delayMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Offset of {Topic}[{Partition}] not stored for commit: {Reason}")]
    private static partial void LogStoreFailed(ILogger logger, string topic, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed offsets unavailable ({Reason}); the speed tables are searched from the start")]
    private static partial void LogCommittedUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic} partition {Partition}: offsets {From}-{To} were evicted by the broker (or about to be) before the speed layer read them; their {Skipped} events reach answers with the next recompute")]
    private static partial void LogSkipped(ILogger logger, string topic, int partition, long from, long to, long skipped);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Commit skipped: {Reason}")]
    private static partial void LogCommitSkipped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumption paused: {Queued} flush(es) wait for ClickHouse")]
    private static partial void LogPaused(ILogger logger, int queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumption resumed")]
    private static partial void LogResumed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume error {Code}: {Reason}")]
    private static partial void LogConsumeError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(Message = "Kafka error {Code}: {Reason}")]
    private static partial void LogKafkaError(ILogger logger, LogLevel level, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Message}")]
    private static partial void LogKafka(ILogger logger, string facility, string message);
}
