using System.Collections.Concurrent;
using Lambda.SpeedLayer.Storage;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Metrics;
using Microsoft.Extensions.Logging;

namespace Lambda.SpeedLayer.Flushing;

/// <summary>One <see cref="ViewFlushWriter"/> per view; hands batches to them and their completions back to the consumer thread.</summary>
internal sealed class FlushCoordinator : IAsyncDisposable
{
    private readonly Dictionary<ViewDefinition, ViewFlushWriter> _writers = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentQueue<FlushCompletion> _completions = new();
    private volatile Exception? _fault;

    public FlushCoordinator(
        IEnumerable<ViewDefinition> views,
        ISpeedTableWriter store,
        SpeedLayerOptions options,
        PartitionOwnership ownership,
        SpeedLayerMetrics metrics,
        ILoggerFactory loggerFactory,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(views);
        var logger = loggerFactory.CreateLogger<ViewFlushWriter>();
        foreach (var view in views)
        {
            _writers.Add(view, new ViewFlushWriter(
                view, store, options, ownership, metrics, logger, time, _completions.Enqueue, ex => _fault ??= ex));
        }
    }

    /// <summary>The first failure of a writer; the speed layer must stop without committing.</summary>
    public Exception? Fault => _fault;

    /// <summary>Batches queued over all views.</summary>
    public int Queued => _writers.Values.Sum(w => w.Queued);

    public void Start(CancellationToken cancellationToken)
    {
        foreach (var writer in _writers.Values)
        {
            writer.Start(cancellationToken);
        }
    }

    public bool CanAccept(ViewDefinition view) => _writers[view].CanAccept;

    /// <summary>Queues batches cut with <see cref="CanAccept"/> as the filter.</summary>
    /// <exception cref="InvalidOperationException">A writer refused a batch (it failed meanwhile).</exception>
    public void Enqueue(IEnumerable<FlushBatch> batches)
    {
        foreach (var batch in batches)
        {
            if (!_writers[batch.View].TryEnqueue(batch))
            {
                throw new InvalidOperationException($"the flush writer of view '{batch.View.Name}' refused a batch", _fault);
            }
        }
    }

    /// <summary>Queues batches, waiting for room.</summary>
    public async Task EnqueueAsync(IEnumerable<FlushBatch> batches, CancellationToken cancellationToken)
    {
        foreach (var batch in batches)
        {
            await _writers[batch.View].EnqueueAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when every batch queued so far is written; fails if a writer failed.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_writers.Values.Select(w => w.WhenIdle)).WaitAsync(cancellationToken);

    public bool TryTakeCompletion(out FlushCompletion completion) => _completions.TryDequeue(out completion!);

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _writers.Values)
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }
}
