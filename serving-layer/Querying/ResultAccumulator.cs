using Lambda.Shared.Aggregation;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Folds stored groups (batch rows and speed deltas, at the view's granularity) into result rows: keeps the
/// groups the query selects, projects them on the group-by dimensions, rolls their buckets up to the query's
/// granularity (or one bucket for <c>all</c>) and merges their states with the shared monoids.
/// </summary>
/// <remarks>
/// Hand-written rather than a <see cref="ViewAggregator"/> at the coarser granularity because the aggregator
/// keeps every dimension of the view; a query may group by fewer (or none) and may collapse time entirely.
/// </remarks>
internal sealed class ResultAccumulator
{
    private readonly ViewQuery _query;
    private readonly Granularity? _granularity;
    private readonly Dictionary<ResultKey, MeasureState[]> _rows = [];

    public ResultAccumulator(ViewQuery query)
    {
        _query = query;
        _granularity = query.Granularity.ToTimeGranularityOrNull();
    }

    /// <summary>Groups taken in (after selection).</summary>
    public long GroupsMerged { get; private set; }

    /// <summary>Merges <paramref name="group"/> when the query selects it.</summary>
    /// <exception cref="ArgumentException">The group belongs to another definition of the view.</exception>
    public void Add(ViewGroup group)
    {
        if (!string.Equals(group.View.DefinitionHash, _query.View.DefinitionHash, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"a group of view '{group.View.Name}' ({group.View.DefinitionHash}) cannot be merged into a query of '{_query.View.Name}' ({_query.View.DefinitionHash})",
                nameof(group));
        }

        if (!_query.Selection.Matches(group))
        {
            return;
        }

        var bucket = _granularity is { } granularity ? TimeBucket.Floor(group.BucketStartMilliseconds, granularity) : _query.Range.StartMilliseconds;
        var dimensions = new FieldValue[_query.GroupBy.Count];
        for (var i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = group.Dimensions[_query.GroupBy[i]];
        }

        var key = new ResultKey(bucket, dimensions);
        var states = group.States;
        if (_rows.TryGetValue(key, out var merged))
        {
            for (var m = 0; m < merged.Length; m++)
            {
                merged[m].Merge(states[m]);
            }
        }
        else
        {
            merged = new MeasureState[states.Count];
            for (var m = 0; m < merged.Length; m++)
            {
                // A copy: the group's states may belong to a store's cache or an aggregator.
                merged[m] = states[m].Clone();
            }

            _rows.Add(key, merged);
        }

        GroupsMerged++;
    }

    /// <summary>The rows ordered by bucket then dimension values, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<ResultRow> ToRows(int limit) =>
        _rows.Select(r => new ResultRow(r.Key.Bucket, r.Key.Dimensions, r.Value))
            .Order(RowComparer.Instance)
            .Take(limit)
            .ToArray();

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
