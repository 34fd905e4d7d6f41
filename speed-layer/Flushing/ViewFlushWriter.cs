using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Lambda.SpeedLayer.Storage;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Metrics;
using Microsoft.Extensions.Logging;
using Polly;

namespace Lambda.SpeedLayer.Flushing;

/// <summary>
/// Writes one view's batches to the store, strictly in order (a later range must never be stored before
/// an earlier one), one insert per batch, retrying transient failures with backoff until they succeed.
/// </summary>
/// <remarks>
/// A failed insert may have been stored anyway (the answer was lost). The design is in <c>docs/design-notes.md</c>, "Offsets, not transactions: exactly once".
/// </remarks>
internal sealed partial class ViewFlushWriter
{
    private readonly Channel<(FlushBatch Batch, TaskCompletionSource Done)> _channel;
    private readonly ISpeedTableWriter _store;
    private readonly PartitionOwnership _ownership;
    private readonly SpeedLayerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<FlushCompletion> _completed;
    private readonly Action<Exception> _faulted;
    private readonly ResiliencePipeline _retry;
    private readonly int _capacity;
    private readonly bool _verifyBeforeInsert;
    private Task _lastDone = Task.CompletedTask;
    private Task _loop = Task.CompletedTask;
    private volatile Exception? _fault;

    public ViewFlushWriter(
        ViewDefinition view,
        ISpeedTableWriter store,
        SpeedLayerOptions options,
        PartitionOwnership ownership,
        SpeedLayerMetrics metrics,
        ILogger logger,
        TimeProvider time,
        Action<FlushCompletion> completed,
        Action<Exception> faulted)
    {
        View = view;
        _store = store;
        _ownership = ownership;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _completed = completed;
        _faulted = faulted;
        _capacity = options.MaxPendingFlushes;
        _verifyBeforeInsert = options.VerifyBeforeInsert;
        _channel = Channel.CreateBounded<(FlushBatch, TaskCompletionSource)>(
            new BoundedChannelOptions(_capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        _retry = ClickHouseRetry.Create(
            options.RetryPolicy,
            time,
            args =>
            {
                _metrics.Retried(View.Name);
                LogRetry(_logger, args.Outcome.Exception, View.Name, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            });
    }

    public ViewDefinition View { get; }

    /// <summary>The failure that stopped the writer, if any.</summary>
    public Exception? Fault => _fault;

    /// <summary>Whether a batch can be queued without waiting.</summary>
    public bool CanAccept => _fault is null && _channel.Reader.Count < _capacity;

    /// <summary>Batches queued and not yet taken by the writer.</summary>
    public int Queued => _channel.Reader.Count;

    /// <summary>Completes when every batch queued so far is written (or the writer failed).</summary>
    public Task WhenIdle => Volatile.Read(ref _lastDone);

    public void Start(CancellationToken cancellationToken) => _loop = Task.Run(() => RunAsync(cancellationToken), CancellationToken.None);

    /// <summary>Queues a batch if there is room.</summary>
    public bool TryEnqueue(FlushBatch batch)
    {
        if (_fault is not null)
        {
            return false;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite((batch, done)))
        {
            return false;
        }

        Volatile.Write(ref _lastDone, done.Task);
        return true;
    }

    /// <summary>Queues a batch, waiting for room.</summary>
    public async Task EnqueueAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        if (_fault is { } fault)
        {
            throw new InvalidOperationException($"the flush writer of view '{View.Name}' has failed", fault);
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync((batch, done), cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastDone, done.Task);
    }

    /// <summary>Stops taking batches and waits for the queued ones to be written (or abandoned on cancellation).</summary>
    public Task CompleteAsync()
    {
        _channel.Writer.TryComplete();
        return _loop;
    }

    /// <summary>Compares what the store holds with what a batch expects (see the class remarks).</summary>
    /// <exception cref="SpeedWriteConflictException">Another writer has stored data for one of the batch's partitions.</exception>
    internal static StoredState Reconcile(
        string view, IReadOnlyList<SpeedPartitionDelta> deltas, IReadOnlyList<long?> storedBefore, IReadOnlyDictionary<int, long> stored, bool mayBeStored)
    {
        int notStored = 0, alreadyStored = 0;
        for (var i = 0; i < deltas.Count; i++)
        {
            var delta = deltas[i];
            long? max = stored.TryGetValue(delta.Partition, out var m) ? m : null;
            if (max == storedBefore[i])
            {
                notStored++;
            }
            else if (mayBeStored && max == delta.LastOffset)
            {
                alreadyStored++;
            }
            else
            {
                throw new SpeedWriteConflictException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"view '{view}', partition {delta.Partition}: the speed table ends at offset {Describe(max)}, but this writer expected {Describe(storedBefore[i])}"
                    + $" before its range [{delta.FirstOffset}, {delta.LastOffset}]: another instance has written the partition; stopping so nothing is counted twice"));
            }
        }

        if (notStored == deltas.Count)
        {
            return StoredState.NotStored;
        }

        if (alreadyStored == deltas.Count)
        {
            return StoredState.AlreadyStored;
        }

        throw new SpeedWriteConflictException(
            $"view '{view}': after a failed insert, {alreadyStored} of {deltas.Count} partitions show the insert and the others do not; "
            + "an insert is atomic, so another writer has stored data for some of them; stopping so nothing is counted twice");
    }

    private static string Describe(long? offset) => offset?.ToString(CultureInfo.InvariantCulture) ?? "(nothing stored)";

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (batch, done) in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    done.TrySetResult();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    done.TrySetCanceled(cancellationToken);
                    throw;
                }
                catch (Exception ex)
                {
                    _fault = ex;
                    done.TrySetException(ex);
                    LogFault(_logger, ex, View.Name);
                    _faulted(ex);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (_channel.Reader.Count > 0)
            {
                LogAbandoned(_logger, View.Name, _channel.Reader.Count);
            }
        }
        finally
        {
            var reason = _fault ?? new OperationCanceledException($"the flush writer of view '{View.Name}' stopped");
            while (_channel.Reader.TryRead(out var item))
            {
                item.Done.TrySetException(reason);
            }
        }
    }

    private async Task WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        // Each link points at the ingest request that produced records of this flush (W3C traceparent in the record headers).
        using var activity = SpeedLayerTracing.Source.StartActivity(
            ActivityKind.Consumer,
            parentContext: default,
            tags: [new("lambda.view", View.Name), new("messaging.destination.name", batch.Topic)],
            links: batch.ProducerContexts is { Count: > 0 } contexts ? contexts.Select(c => new ActivityLink(c)) : null,
            name: "speed.flush");
        if (batch.DeadLetterDeliveries.Count > 0)
        {
            // The flush stores progress past these offsets: their dead letters must be durable first.
            await Task.WhenAll(batch.DeadLetterDeliveries).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var attempt = 0;
        List<SpeedPartitionDelta> written = [];
        var insertStarted = 0L;
        await _retry.ExecuteAsync(
            async token =>
            {
                attempt++;
                written = [];
                var expected = new List<long?>();
                for (var i = 0; i < batch.Deltas.Count; i++)
                {
                    if (_ownership.Owns(batch.Topic, batch.Deltas[i].Partition))
                    {
                        written.Add(batch.Deltas[i]);
                        expected.Add(batch.StoredBefore[i]);
                    }
                }

                if (written.Count < batch.Deltas.Count)
                {
                    LogLeftOut(_logger, View.Name, batch.Deltas.Count - written.Count);
                }

                if (written.Count == 0)
                {
                    return;
                }

                if (attempt > 1 || _verifyBeforeInsert)
                {
                    var from = new Dictionary<int, long?>(written.Count);
                    for (var i = 0; i < written.Count; i++)
                    {
                        from[written[i].Partition] = expected[i];
                    }

                    var stored = await _store.GetMaxOffsetsBeforeInsertAsync(View, from, token).ConfigureAwait(false);
                    if (Reconcile(View.Name, written, expected, stored, mayBeStored: attempt > 1) == StoredState.AlreadyStored)
                    {
                        LogAlreadyStored(_logger, View.Name, attempt - 1);
                        return;
                    }
                }

                insertStarted = _time.GetTimestamp();
                await _store.InsertAsync(View, written, _time.GetUtcNow().UtcDateTime, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

        if (written.Count == 0)
        {
            return;
        }

        var rows = written.Sum(d => d.RowCount);
        activity?.SetTag("lambda.rows", rows);
        if (batch.OldestRecordTime is { } oldest)
        {
            _metrics.Visible(View.Name, _time.GetUtcNow() - oldest);
        }

        _metrics.Flushed(
            View.Name,
            rows,
            _time.GetElapsedTime(batch.CutTimestamp),
            insertStarted == 0 ? TimeSpan.Zero : _time.GetElapsedTime(insertStarted));
        _completed(new FlushCompletion(View, batch.Topic, written.ToDictionary(d => d.Partition, d => d.LastOffset)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "View {View}: insert failed transiently; attempt {Attempt} in {DelayMs:0} ms (stored offsets are checked first)")]
    private static partial void LogRetry(ILogger logger, Exception? exception, string view, int attempt, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View}: the insert that failed {Failures} time(s) had been stored; not repeated")]
    private static partial void LogAlreadyStored(ILogger logger, string view, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "View {View}: {Count} partition(s) of a flush are no longer owned by this instance and are left out")]
    private static partial void LogLeftOut(ILogger logger, string view, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "View {View}: flush writer failed; the speed layer stops")]
    private static partial void LogFault(ILogger logger, Exception exception, string view);

    [LoggerMessage(Level = LogLevel.Warning, Message = "View {View}: flush writer stopped with {Count} batch(es) unwritten; their events will be consumed again")]
    private static partial void LogAbandoned(ILogger logger, string view, int count);
}
