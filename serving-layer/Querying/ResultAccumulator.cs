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
    private readonly object _generation = new();
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
        var dimensions = new FieldValue[_query.GroupBy.Count];
        for (var i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = group.Dimensions[_query.GroupBy[i]];
        }

        var key = new ResultKey(bucket, dimensions);
        var states = group.States;
        if (_rows.TryGetValue(key, out var entry) && ReferenceEquals(entry.Generation, _generation))
        {
            for (var m = 0; m < entry.States.Length; m++)
            {
                entry.States[m].Merge(states[m]);
            }
        }
        else
        {
            // A copy: the group's states may belong to a store's cache or an aggregator, the entry's to an earlier answer.
            var source = entry?.States ?? states;
            var merged = new MeasureState[source.Count];
            for (var m = 0; m < merged.Length; m++)
            {
                merged[m] = source[m].Clone();
                if (entry is not null)
                {
                    merged[m].Merge(states[m]);
                }
            }

            _rows[key] = new Entry(merged, _generation);
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
