using System.Collections;
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
/// Hand-written rather than a <see cref="ViewAggregator"/> at the coarser granularity because the aggregator keeps every
/// dimension of the view. The rows live in a few flat arrays indexed by row number, not in an object per row: one query
/// may build 70,000 rows while other keys' cheap queries wait on every garbage collection, and a collection's pause
/// grows with the young objects it must trace and copy, not with a handful of large arrays. The design is in
/// <c>docs/design-notes.md</c>, "Shared answers".
/// </remarks>
internal sealed class ResultAccumulator
{
    /// <summary>The owner of a row whose states are a group's own (borrowed), never merged into.</summary>
    private const int Borrowed = 0;

    private static int s_generations;

    private readonly ViewQuery _query;
    private readonly Granularity? _granularity;
    private readonly int _width;
    private readonly int _generation = Interlocked.Increment(ref s_generations);

    // Row r: its bucket, its group-by values at [r * _width, (r + 1) * _width), its states, the generation that owns them
    // (Borrowed: a store's or an earlier answer's, cloned before a merge), and the row handed out for it when finalising
    // its states is costly. The slot after the last row is where a group's key is written to be looked up.
    private long[] _buckets;
    private FieldValue[] _dimensions;
    private MeasureState[][] _states;
    private int[] _owners;
    private ResultRow?[] _handedOut;
    private int _count;
    private HashSet<int>? _index;

    public ResultAccumulator(ViewQuery query)
        : this(query, 0)
    {
    }

    private ResultAccumulator(ViewQuery query, int rows)
    {
        _query = query;
        _granularity = query.Granularity.ToTimeGranularityOrNull();
        _width = query.GroupBy.Count;
        var capacity = Math.Max(16, rows + 1);
        _buckets = new long[capacity];
        _dimensions = new FieldValue[capacity * _width];
        _states = new MeasureState[capacity][];
        _owners = new int[capacity];
        _handedOut = new ResultRow?[capacity];
        _index = new HashSet<int>(capacity, new KeyComparer(this));
    }

    /// <summary>Groups taken in.</summary>
    public long GroupsMerged { get; private set; }

    /// <summary>An accumulator that starts with this one's rows (shared, copied on write); this one is frozen.</summary>
    public ResultAccumulator Fork()
    {
        _index = null;
        var fork = new ResultAccumulator(_query, _count);
        Array.Copy(_buckets, fork._buckets, _count);
        Array.Copy(_dimensions, fork._dimensions, _count * _width);
        Array.Copy(_states, fork._states, _count);
        Array.Copy(_handedOut, fork._handedOut, _count);
        // Owners stay zero: every row this one holds is borrowed for the fork.
        for (var row = 0; row < _count; row++)
        {
            fork._index!.Add(row);
            fork._count++;
        }

        return fork;
    }

    /// <summary>
    /// Merges <paramref name="group"/>, one the read ports selected for the query (range and filter are theirs to apply)
    /// from the view version the engine checked.
    /// </summary>
    /// <exception cref="InvalidOperationException">The accumulator is frozen.</exception>
    public void Add(ViewGroup group)
    {
        var index = _index ?? throw new InvalidOperationException("the accumulator's rows were handed out; fork it to add more groups");
        Grow(_count + 1);
        var slot = _count;
        _buckets[slot] = _granularity is { } granularity ? TimeBucket.Floor(group.BucketStartMilliseconds, granularity) : _query.Range.StartMilliseconds;
        var groupBy = _query.GroupBy;
        for (var d = 0; d < _width; d++)
        {
            _dimensions[(slot * _width) + d] = group.Dimensions[groupBy[d]];
        }

        var states = group.States;
        if (index.Add(slot))
        {
            // A new row borrows the group's states: a store's cache or an aggregator may own them, so they are cloned
            // only when a second group merges into the row (below), and a row that one group makes (most rows of an
            // answer at the view's own granularity) costs no copy of its states.
            _states[slot] = states as MeasureState[] ?? [.. states];
            _owners[slot] = Borrowed;
            _handedOut[slot] = null;
            _count++;
        }
        else
        {
            index.TryGetValue(slot, out var row);
            var merged = _states[row];
            if (_owners[row] != _generation)
            {
                merged = new MeasureState[merged.Length];
                for (var m = 0; m < merged.Length; m++)
                {
                    merged[m] = _states[row][m].Clone();
                }

                _states[row] = merged;
                _owners[row] = _generation;
                _handedOut[row] = null;
            }

            for (var m = 0; m < merged.Length; m++)
            {
                merged[m].Merge(states[m]);
            }
        }

        GroupsMerged++;
    }

    /// <summary>How many distinct groups (dimension values, whatever the bucket) the rows hold.</summary>
    public int CountGroups()
    {
        if (_granularity is null)
        {
            return _count;
        }

        var groups = new HashSet<int>(new DimensionsComparer(this));
        for (var row = 0; row < _count; row++)
        {
            groups.Add(row);
        }

        return groups.Count;
    }

    /// <summary>
    /// The rows ordered by bucket then dimension values, at most <paramref name="limit"/>; freezes the accumulator.
    /// With a window, the rows of the query's range slid over the buckets held (<see cref="SlidingWindowMerger"/>).
    /// </summary>
    /// <param name="limit">Most rows returned.</param>
    /// <param name="total">The number of rows before the limit.</param>
    public IReadOnlyList<ResultRow> ToRows(int limit, out int total)
    {
        _index = null;
        if (_query.Window is { } window)
        {
            var byGroup = Order(new RowOrder(this, bucketFirst: false));
            var slid = new List<ResultRow>();
            var dimensions = new DimensionsComparer(this);
            for (var start = 0; start < byGroup.Length;)
            {
                var end = start + 1;
                while (end < byGroup.Length && dimensions.Equals(byGroup[start], byGroup[end]))
                {
                    end++;
                }

                var buckets = new (long Bucket, IReadOnlyList<MeasureState> States)[end - start];
                for (var i = start; i < end; i++)
                {
                    buckets[i - start] = (_buckets[byGroup[i]], _states[byGroup[i]]);
                }

                SlidingWindowMerger.SlideGroup(window, _query.Range, _dimensions.AsSpan(byGroup[start] * _width, _width).ToArray(), buckets, slid);
                start = end;
            }

            total = slid.Count;
            return slid.Order(RowComparer.Instance).Take(limit).ToArray();
        }

        total = _count;
        return new Rows(this, Order(new RowOrder(this, bucketFirst: true)), Math.Min(limit, _count));
    }

    private int[] Order(RowOrder order)
    {
        var rows = new int[_count];
        for (var row = 0; row < rows.Length; row++)
        {
            rows[row] = row;
        }

        Array.Sort(rows, order);
        return rows;
    }

    /// <summary>
    /// Row <paramref name="row"/> as a <see cref="ResultRow"/>: made when asked for (it dies young, and young garbage costs a
    /// collection nothing), except when one of its states is costly to finalise, whose row is kept so that its finalised
    /// values serve every later rendering and the forks that leave the row untouched.
    /// </summary>
    private ResultRow RowAt(int row)
    {
        if (Volatile.Read(ref _handedOut[row]) is { } kept)
        {
            return kept;
        }

        var states = _states[row];
        var made = new ResultRow(_buckets[row], new ArraySegment<FieldValue>(_dimensions, row * _width, _width), states);
        return ResultRow.AnyCostlyToFinalise(states) ? Interlocked.CompareExchange(ref _handedOut[row], made, null) ?? made : made;
    }

    private void Grow(int rows)
    {
        if (rows <= _buckets.Length)
        {
            return;
        }

        var capacity = Math.Max(rows, _buckets.Length * 2);
        Array.Resize(ref _buckets, capacity);
        Array.Resize(ref _dimensions, capacity * _width);
        Array.Resize(ref _states, capacity);
        Array.Resize(ref _owners, capacity);
        Array.Resize(ref _handedOut, capacity);
    }

    private ReadOnlySpan<FieldValue> DimensionsOf(int row) => _dimensions.AsSpan(row * _width, _width);

    /// <summary>A frozen accumulator's rows in answer order, up to the limit.</summary>
    private sealed class Rows(ResultAccumulator accumulator, int[] order, int count) : IReadOnlyList<ResultRow>
    {
        public int Count => count;

        public ResultRow this[int index] =>
            (uint)index < (uint)count ? accumulator.RowAt(order[index]) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<ResultRow> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return accumulator.RowAt(order[i]);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Rows with the same bucket and group-by values (one result row).</summary>
    private sealed class KeyComparer(ResultAccumulator rows) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => rows._buckets[x] == rows._buckets[y] && rows.DimensionsOf(x).SequenceEqual(rows.DimensionsOf(y));

        public int GetHashCode(int obj)
        {
            var hash = default(HashCode);
            hash.Add(rows._buckets[obj]);
            foreach (var d in rows.DimensionsOf(obj))
            {
                hash.Add(d);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>Rows with the same group-by values, whatever their buckets (one group).</summary>
    private sealed class DimensionsComparer(ResultAccumulator rows) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => rows.DimensionsOf(x).SequenceEqual(rows.DimensionsOf(y));

        public int GetHashCode(int obj)
        {
            var hash = default(HashCode);
            foreach (var d in rows.DimensionsOf(obj))
            {
                hash.Add(d);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>Answer order (bucket, then group-by values) or group order (group-by values, then bucket).</summary>
    private sealed class RowOrder(ResultAccumulator rows, bool bucketFirst) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var byBucket = rows._buckets[x].CompareTo(rows._buckets[y]);
            if (bucketFirst && byBucket != 0)
            {
                return byBucket;
            }

            var a = rows.DimensionsOf(x);
            var b = rows.DimensionsOf(y);
            for (var d = 0; d < a.Length; d++)
            {
                var c = a[d].CompareTo(b[d]);
                if (c != 0)
                {
                    return c;
                }
            }

            return byBucket;
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
