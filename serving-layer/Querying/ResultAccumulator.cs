using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Folds the groups the read ports selected (batch rows and speed deltas, at the view's granularity or coarser) into
/// result rows: projects them on the group-by dimensions, rolls their buckets up to the query's
/// granularity (or one bucket for <c>all</c>) and merges their states with the shared monoids.
/// </summary>
/// <remarks>
/// Hand-written rather than a <see cref="ViewAggregator"/> at the coarser granularity because the aggregator keeps every dimension of the view. The design is in <c>docs/design-notes.md</c>, "Shared answers".
/// </remarks>
internal sealed class ResultAccumulator
{
    private readonly ViewQuery _query;
    private readonly Granularity? _granularity;
    private readonly Dictionary<ResultKey, Entry> _rows;
    /// <summary>The generation of rows whose states are a group's own, never merged into.</summary>
    private static readonly object Borrowed = new();

    private readonly object _generation = new();
    private readonly FieldValue[] _lookupDimensions;
    private bool _frozen;

    public ResultAccumulator(ViewQuery query)
        : this(query, [])
    {
    }

    private ResultAccumulator(ViewQuery query, Dictionary<ResultKey, Entry> rows)
    {
        _query = query;
        _granularity = query.Granularity.ToTimeGranularityOrNull();
        _rows = rows;
        _lookupDimensions = new FieldValue[query.GroupBy.Count];
    }

    /// <summary>Groups taken in.</summary>
    public long GroupsMerged { get; private set; }

    /// <summary>An accumulator that starts with this one's rows (shared, copied on write); this one is frozen.</summary>
    public ResultAccumulator Fork()
    {
        _frozen = true;
        return new ResultAccumulator(_query, new Dictionary<ResultKey, Entry>(_rows));
    }

    /// <summary>
    /// Merges <paramref name="group"/>, one the read ports selected for the query (range and filter are theirs to apply)
    /// from the view version the engine checked.
    /// </summary>
    /// <exception cref="InvalidOperationException">The accumulator is frozen.</exception>
    public void Add(ViewGroup group)
    {
        if (_frozen)
        {
            throw new InvalidOperationException("the accumulator's rows were handed out; fork it to add more groups");
        }

        var bucket = _granularity is { } granularity ? TimeBucket.Floor(group.BucketStartMilliseconds, granularity) : _query.Range.StartMilliseconds;
        // Looked up with a reused array; a key of its own is only allocated for a new row (a roll-up merges many groups
        // into each row, and every allocation of a large query's merge is one the process-wide GC has to trace).
        var dimensions = _lookupDimensions;
        for (var i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = group.Dimensions[_query.GroupBy[i]];
        }

        var states = group.States;
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_rows, new ResultKey(bucket, dimensions));
        if (!Unsafe.IsNullRef(ref entry) && ReferenceEquals(entry.Generation, _generation))
        {
            for (var m = 0; m < entry.States.Length; m++)
            {
                entry.States[m].Merge(states[m]);
            }
        }
        else if (Unsafe.IsNullRef(ref entry))
        {
            // A new row borrows the group's states: a store's cache or an aggregator may own them, so they are cloned
            // only when a second group merges into the row (below), and a row that one group makes (most rows of an
            // answer at the view's own granularity) costs no copy of its states.
            _rows.Add(new ResultKey(bucket, [.. dimensions]), new Entry(states as MeasureState[] ?? [.. states], Borrowed));
        }
        else
        {
            // The row's states are borrowed or belong to an earlier answer: merged into copies of them.
            var merged = new MeasureState[entry.States.Length];
            for (var m = 0; m < merged.Length; m++)
            {
                merged[m] = entry.States[m].Clone();
                merged[m].Merge(states[m]);
            }

            entry = new Entry(merged, _generation);
        }

        GroupsMerged++;
    }

    /// <summary>How many distinct groups (dimension values, whatever the bucket) the rows hold.</summary>
    public int CountGroups() =>
        _granularity is null ? _rows.Count : _rows.Keys.Select(k => k.Dimensions).Distinct(DimensionsComparer.Instance).Count();

    /// <summary>
    /// The rows ordered by bucket then dimension values, at most <paramref name="limit"/>; freezes the accumulator.
    /// With a window, the rows of the query's range slid over the buckets held (<see cref="SlidingWindowMerger"/>).
    /// </summary>
    /// <param name="limit">Most rows returned.</param>
    /// <param name="total">The number of rows before the limit.</param>
    public IReadOnlyList<ResultRow> ToRows(int limit, out int total)
    {
        _frozen = true;
        if (_query.Window is { } window)
        {
            var slid = new List<ResultRow>();
            foreach (var group in _rows.GroupBy(r => r.Key.Dimensions, DimensionsComparer.Instance))
            {
                var buckets = group.Select(r => (r.Key.Bucket, (IReadOnlyList<MeasureState>)r.Value.States)).OrderBy(b => b.Bucket).ToArray();
                SlidingWindowMerger.SlideGroup(window, _query.Range, group.Key, buckets, slid);
            }

            total = slid.Count;
            return slid.Order(RowComparer.Instance).Take(limit).ToArray();
        }

        total = _rows.Count;
        return _rows.Select(r => r.Value.Row ??= new ResultRow(r.Key.Bucket, r.Key.Dimensions, r.Value.States))
            .Order(RowComparer.Instance)
            .Take(limit)
            .ToArray();
    }

    /// <summary>One result row's merged states, owned by the accumulator generation that created them.</summary>
    private sealed class Entry(MeasureState[] states, object generation)
    {
        public MeasureState[] States { get; } = states;

        public object Generation { get; } = generation;

        /// <summary>The row handed out for these states, kept so its finalised values are reused by later forks.</summary>
        public ResultRow? Row { get; set; }
    }

    private readonly record struct ResultKey(long Bucket, FieldValue[] Dimensions)
    {
        public bool Equals(ResultKey other) => Bucket == other.Bucket && Dimensions.AsSpan().SequenceEqual(other.Dimensions);

        public override int GetHashCode()
        {
            var hash = default(HashCode);
            hash.Add(Bucket);
            foreach (var d in Dimensions)
            {
                hash.Add(d);
            }

            return hash.ToHashCode();
        }
    }

    private sealed class DimensionsComparer : IEqualityComparer<FieldValue[]>
    {
        public static DimensionsComparer Instance { get; } = new();

        public bool Equals(FieldValue[]? x, FieldValue[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(FieldValue[] obj)
        {
            var hash = default(HashCode);
            foreach (var d in obj)
            {
                hash.Add(d);
            }

            return hash.ToHashCode();
        }
    }

    private sealed class RowComparer : IComparer<ResultRow>
    {
        public static RowComparer Instance { get; } = new();

        public int Compare(ResultRow? x, ResultRow? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            var c = x.BucketStartMilliseconds.CompareTo(y.BucketStartMilliseconds);
            for (var i = 0; c == 0 && i < x.Dimensions.Count; i++)
            {
                c = x.Dimensions[i].CompareTo(y.Dimensions[i]);
            }

            return c;
        }
    }
}
