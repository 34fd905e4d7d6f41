using System.Diagnostics;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.DeadLetters;
using Lambda.SpeedLayer.Flushing;
using Lambda.SpeedLayer.Lookups;
using Lambda.SpeedLayer.Metrics;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Pipeline;

/// <summary>
/// The consume → parse → aggregate → cut part of the speed layer, without Kafka or ClickHouse: messages
/// go in with their (topic, partition, offset); <see cref="Cut"/> takes out one <see cref="FlushBatch"/> per
/// view with the deltas of every partition that advanced. Kafka drives it in production
/// (<see cref="Consuming.KafkaSpeedConsumer"/>); tests drive it with in-memory messages.
/// </summary>
/// <remarks>
/// One <see cref="Shared.Aggregation.ViewAggregator"/> per (view, partition), so each delta carries its
/// partition's offset range. A view skips offsets it has already stored (after a restart the partition is
/// read from the smallest stored offset over the source's views). Single-threaded.
/// </remarks>
internal sealed class SpeedPipeline
{
    private readonly Dictionary<string, SourcePipeline> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<ViewDefinition, (SourcePipeline Source, int Index)> _views = new(ReferenceEqualityComparer.Instance);
    private readonly IDeadLetterSink _deadLetters;
    private readonly ILookupSnapshotSource? _lookups;
    private readonly SpeedLayerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly long _flushIntervalTicks;
    private readonly long _flushMaxEvents;
    private readonly long _backlogFlushIntervalTicks;
    private readonly long _backlogFlushMaxEvents;
    private readonly long _backlogLag;
    private readonly int _maxRowsPerInsert;
    private SourcePipeline? _lastSource;
    private long _lastCut;
    private long _eventsSinceCut;
    private bool _cutIncomplete;
    private bool _rowLimitReached;

    public SpeedPipeline(
        LambdaCatalog catalog,
        IDeadLetterSink deadLetters,
        SpeedLayerOptions options,
        SpeedLayerMetrics metrics,
        TimeProvider time,
        EventParserOptions? parserOptions = null,
        ILookupSnapshotSource? lookups = null)
    {
        _lookups = lookups;
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(deadLetters);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        _deadLetters = deadLetters;
        _metrics = metrics;
        _time = time;
        _flushIntervalTicks = (long)(options.FlushInterval.TotalSeconds * time.TimestampFrequency);
        _flushMaxEvents = options.FlushMaxEvents;
        _backlogFlushIntervalTicks = Math.Max(_flushIntervalTicks, (long)(options.BacklogFlushInterval.TotalSeconds * time.TimestampFrequency));
        _backlogFlushMaxEvents = Math.Max(_flushMaxEvents, options.BacklogFlushMaxEvents);
        _backlogLag = options.BacklogLag;
        _maxRowsPerInsert = options.MaxRowsPerInsert;
        foreach (var source in catalog.Sources)
        {
            var views = catalog.ViewsOf(source);
            if (views.Count == 0)
            {
                continue;
            }

            foreach (var view in views)
            {
                // Fails early, naming the column, when a view cannot be laid out as a speed table.
                SpeedTableSchema.For(view);
            }

            var pipeline = new SourcePipeline(source, views, parserOptions);
            _sources.Add(source.Topic, pipeline);
            for (var i = 0; i < views.Count; i++)
            {
                _views.Add(views[i], (pipeline, i));
            }
        }

        _lastCut = time.GetTimestamp();
    }

    /// <summary>The topics to consume: those of sources with at least one view.</summary>
    public IReadOnlyCollection<string> Topics => _sources.Keys;

    /// <summary>Every view computed, in catalog order per source.</summary>
    public IReadOnlyCollection<ViewDefinition> Views => _views.Keys;

    /// <summary>True while some view has events that no cut has taken yet.</summary>
    public bool HasPending => _sources.Values.Any(s => s.Partitions.Values.Any(p => p.Views.Any(v => v.HasRange)));

    /// <summary>True when the last <see cref="Cut"/> held a view back (its writer had no room); the cut stays due.</summary>
    public bool IsCutIncomplete => _cutIncomplete;

    /// <summary>The views of the source on <paramref name="topic"/>, in catalog order (the order of <see cref="PartitionResume.StoredLastOffsets"/>).</summary>
    public IReadOnlyList<ViewDefinition> ViewsOf(string topic) =>
        _sources.TryGetValue(topic, out var source) ? source.Views : throw new ArgumentException($"topic '{topic}' is not consumed", nameof(topic));

    /// <summary>Whether the partition is assigned.</summary>
    public bool IsAssigned(string topic, int partition) => _sources.TryGetValue(topic, out var s) && s.Partitions.ContainsKey(partition);

    /// <summary>Every assigned partition with the last offset processed (-1 before the first message).</summary>
    public IEnumerable<(string Topic, int Partition, long LastProcessed)> Positions =>
        _sources.Values.SelectMany(s => s.Partitions.Values.Select(p => (s.Source.Topic, p.Partition, p.LastProcessed)));

    /// <summary>Starts (or restarts) a partition from what the store holds for each view.</summary>
    public void Assign(PartitionResume resume)
    {
        ArgumentNullException.ThrowIfNull(resume);
        if (!_sources.TryGetValue(resume.Topic, out var source))
        {
            throw new ArgumentException($"topic '{resume.Topic}' is not consumed", nameof(resume));
        }

        if (resume.StoredLastOffsets.Count != source.Views.Count)
        {
            throw new ArgumentException(
                $"topic '{resume.Topic}' has {source.Views.Count} views; {resume.StoredLastOffsets.Count} stored offsets were given", nameof(resume));
        }

        source.Partitions[resume.Partition] = new PartitionState(resume.Partition, source.Views, resume);
    }

    /// <summary>Forgets a partition and whatever it has not cut yet (cut first to keep it).</summary>
    public void Unassign(string topic, int partition)
    {
        if (_sources.TryGetValue(topic, out var source))
        {
            source.Partitions.Remove(partition);
        }
    }

    /// <summary>
    /// Parses one message and folds it into every view that has not stored its offset yet; a rejected
    /// message goes to the dead-letter sink (once: when a view has already stored its offset, it was sent
    /// before that view's flush).
    /// </summary>
    /// <param name="topic">The record's topic.</param>
    /// <param name="partition">Its partition.</param>
    /// <param name="offset">Its offset.</param>
    /// <param name="key">Its key.</param>
    /// <param name="value">Its value (the event).</param>
    /// <param name="recordMs">Its Kafka timestamp in Unix milliseconds (0: none), for freshness.</param>
    /// <param name="producer">The trace context it carries (default: none), linked from the flush that stores it.</param>
    public ProcessOutcome Process(
        string topic, int partition, long offset, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long recordMs = 0, in ActivityContext producer = default)
    {
        var source = _lastSource;
        if (source is null || !string.Equals(source.Source.Topic, topic, StringComparison.Ordinal))
        {
            if (!_sources.TryGetValue(topic, out source))
            {
                return ProcessOutcome.NotAssigned;
            }

            _lastSource = source;
        }

        if (!source.Partitions.TryGetValue(partition, out var state))
        {
            return ProcessOutcome.NotAssigned;
        }

        var record = source.Record;
        if (_lookups is not null)
        {
            // The versions held now: an event joins the row valid at its event time in them (a no-op while unchanged).
            record.Lookups = _lookups.Current;
        }

        var accepted = source.Parser.TryParse(value, record, out var rejection);
        var lookupMissing = false;
        if (accepted && source.DeadLetterOnMiss != 0)
        {
            record.ComputeDerived();
            if ((record.MissedLookups & source.DeadLetterOnMiss) is var missed and not 0)
            {
                // Still accepted: the views that do not use the lookup count it; those that do skip it (ViewAggregator).
                lookupMissing = true;
                var lookup = source.Source.Enrichments[System.Numerics.BitOperations.TrailingZeroCount(missed)].Lookup.Name;
                rejection = new EventRejection(RejectionReason.LookupMissing, lookup, $"lookup '{lookup}' has no row for the event's key at its event time");
            }
        }
        if (!Fold(source, state, record, accepted, offset, recordMs, producer, out var skippedBySome))
        {
            return ProcessOutcome.Skipped;
        }

        if (accepted && !lookupMissing)
        {
            return ProcessOutcome.Accepted;
        }

        if (!skippedBySome)
        {
            var delivery = _deadLetters.PublishAsync(new DeadLetter(topic, partition, offset, key.IsEmpty ? null : key.ToArray(), value.ToArray(), rejection));
            foreach (var viewState in source.ViewStates)
            {
                viewState.DeadLetterDeliveries.Add(delivery);
            }

            _metrics.DeadLetter(source.Source.Name, rejection.Reason);
        }

        return accepted ? ProcessOutcome.Accepted : ProcessOutcome.Rejected;
    }

    /// <summary>
    /// Folds one event of a source read from the master dataset (a Kappa replay, <see cref="Replay.MasterDatasetReplay"/>)
    /// into every view that has not stored its position yet: the same enrichment, derivation, filter and aggregation as a
    /// message from Kafka, without parsing (the archive holds only valid events, their rejects were dead-lettered when
    /// they were consumed, so none is sent again). Positions must ascend per partition, as Kafka delivers them.
    /// </summary>
    public ProcessOutcome ProcessArchived(string topic, int partition, long offset, EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_sources.TryGetValue(topic, out var source) || !source.Partitions.TryGetValue(partition, out var state))
        {
            return ProcessOutcome.NotAssigned;
        }

        if (!ReferenceEquals(record.Source, source.Source))
        {
            throw new ArgumentException($"the record is of source '{record.Source.Name}', topic '{topic}' is source '{source.Source.Name}'", nameof(record));
        }

        if (_lookups is not null)
        {
            record.Lookups = _lookups.Current;
        }

        return Fold(source, state, record, accepted: true, offset, recordMs: 0, producer: default, out _)
            ? ProcessOutcome.Accepted
            : ProcessOutcome.Skipped;
    }

    /// <summary>
    /// Extends every view's pending range of the partition to <paramref name="lastOffset"/>: the offsets after the last
    /// archived event up to the archive's committed end held no valid event (the archiver consumed them), so the next
    /// flush records them as processed and Kafka is read again from the archive's end, not from the last event.
    /// </summary>
    public void AdvanceTo(string topic, int partition, long lastOffset)
    {
        if (!_sources.TryGetValue(topic, out var source) || !source.Partitions.TryGetValue(partition, out var state))
        {
            return;
        }

        foreach (var view in state.Views)
        {
            if (view.HasRange && view.Last < lastOffset)
            {
                view.Last = lastOffset;
            }
        }

        state.LastProcessed = Math.Max(state.LastProcessed, lastOffset);
    }

    /// <summary>
    /// Folds the event at <paramref name="offset"/> into every view of the partition that has not stored it yet and records
    /// the partition's position; false when every view had stored it already (nothing to flush, nothing counted).
    /// </summary>
    private bool Fold(
        SourcePipeline source, PartitionState state, EventRecord record, bool accepted, long offset, long recordMs, in ActivityContext producer, out bool skippedBySome)
    {
        var views = state.Views;
        skippedBySome = false;
        var processed = false;
        for (var v = 0; v < views.Length; v++)
        {
            var view = views[v];
            if (offset < view.SkipBelow)
            {
                skippedBySome = true;
                continue;
            }

            processed = true;
            if (view.First < 0)
            {
                view.First = offset;
            }

            view.Last = offset;
            source.ViewStates[v].Observe(recordMs, producer);
            if (accepted)
            {
                var before = view.Aggregator.GroupCount;
                view.Aggregator.Add(record);
                if (view.Aggregator.GroupCount != before)
                {
                    var viewState = source.ViewStates[v];
                    viewState.PendingGroups++;
                    if (viewState.PendingGroups + source.Partitions.Count >= _maxRowsPerInsert)
                    {
                        _rowLimitReached = true;
                    }
                }
            }
        }

        state.LastProcessed = offset;
        if (processed)
        {
            _eventsSinceCut++;
            source.EventsSinceMetrics++;
        }

        return processed;
    }

    /// <summary>
    /// The consumer lag last measured (events on the broker not yet processed over the assigned partitions that are read);
    /// at or above <see cref="SpeedLayerOptions.BacklogLag"/> the pipeline is <see cref="IsBehind"/>. Set by the consumer.
    /// </summary>
    public long Lag { get; set; }

    /// <summary>Whether the consumer is behind: cuts are then paced by the backlog interval and event count.</summary>
    public bool IsBehind => Lag >= _backlogLag;

    /// <summary>
    /// Whether a cut is due: the flush interval has passed since the last cut with events pending, enough
    /// events arrived, a view approaches the row limit of one insert, or the previous cut could not take everything.
    /// While <see cref="IsBehind"/>, the interval and the event count are the backlog ones (fewer, larger flushes).
    /// </summary>
    public bool IsFlushDue()
    {
        if (_cutIncomplete || _rowLimitReached)
        {
            return true;
        }

        if (_eventsSinceCut == 0)
        {
            return false;
        }

        var behind = IsBehind;
        return _eventsSinceCut >= (behind ? _backlogFlushMaxEvents : _flushMaxEvents)
            || _time.GetTimestamp() - _lastCut >= (behind ? _backlogFlushIntervalTicks : _flushIntervalTicks);
    }

    /// <summary>
    /// Takes out one batch per view that has pending events and that <paramref name="canAccept"/> lets through;
    /// the views' aggregators are drained and their offset ranges start afresh. A view held back keeps its
    /// pending state and the cut stays due.
    /// </summary>
    public IReadOnlyList<FlushBatch> Cut(Func<ViewDefinition, bool> canAccept)
    {
        ArgumentNullException.ThrowIfNull(canAccept);
        var now = _time.GetTimestamp();
        var batches = new List<FlushBatch>();
        var incomplete = false;
        foreach (var source in _sources.Values)
        {
            foreach (var viewState in source.ViewStates)
            {
                var index = viewState.Index;
                if (!source.Partitions.Values.Any(p => p.Views[index].HasRange))
                {
                    continue;
                }

                if (!canAccept(viewState.View))
                {
                    incomplete = true;
                    continue;
                }

                var deltas = new List<SpeedPartitionDelta>();
                var storedBefore = new List<long?>();
                foreach (var partition in source.Partitions.Values.OrderBy(p => p.Partition))
                {
                    var state = partition.Views[index];
                    if (!state.HasRange)
                    {
                        continue;
                    }

                    deltas.Add(new SpeedPartitionDelta(partition.Partition, state.First, state.Last, state.Aggregator.Drain()) { FencingToken = partition.FencingToken });
                    storedBefore.Add(state.StoredLast);
                    state.StoredLast = state.Last;
                    state.First = -1;
                    state.Last = -1;
                }

                batches.Add(new FlushBatch(
                    viewState.View,
                    source.Source.Topic,
                    deltas,
                    storedBefore,
                    viewState.DeadLetterDeliveries,
                    now,
                    viewState.OldestRecordMs == long.MaxValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(viewState.OldestRecordMs),
                    viewState.ProducerContexts));
                viewState.PendingGroups = 0;
                viewState.DeadLetterDeliveries = [];
                viewState.OldestRecordMs = long.MaxValue;
                viewState.ProducerContexts = [];
            }
        }

        _cutIncomplete = incomplete;
        _rowLimitReached = incomplete && _rowLimitReached;
        if (!incomplete)
        {
            _eventsSinceCut = 0;
        }

        _lastCut = now;
        return batches;
    }

    /// <summary>
    /// Records that a batch is stored; returns, for each of its partitions still assigned, the offset below
    /// which every view of the source has now stored everything, when that moved (to commit to Kafka, advisory).
    /// </summary>
    public IReadOnlyList<(string Topic, int Partition, long NextOffset)> Complete(FlushCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (!_views.TryGetValue(completion.View, out var entry))
        {
            return [];
        }

        var (source, index) = entry;
        var commits = new List<(string, int, long)>();
        foreach (var (partition, last) in completion.LastOffsets)
        {
            if (!source.Partitions.TryGetValue(partition, out var state))
            {
                continue;
            }

            var view = state.Views[index];
            if (view.DurableLast is null || last > view.DurableLast)
            {
                view.DurableLast = last;
            }

            long? min = null;
            foreach (var v in state.Views)
            {
                if (v.DurableLast is not { } durable)
                {
                    min = null;
                    break;
                }

                min = min is null ? durable : Math.Min(min.Value, durable);
            }

            if (min is { } m && (state.CommittedNext is null || m + 1 > state.CommittedNext))
            {
                state.CommittedNext = m + 1;
                commits.Add((source.Source.Topic, partition, m + 1));
            }
        }

        return commits;
    }

    /// <summary>Events processed per source since the previous call (for events/s).</summary>
    public IReadOnlyList<(string Source, long Events)> TakeEventCounts()
    {
        var counts = new List<(string, long)>(_sources.Count);
        foreach (var source in _sources.Values)
        {
            counts.Add((source.Source.Name, source.EventsSinceMetrics));
            source.EventsSinceMetrics = 0;
        }

        return counts;
    }
}
