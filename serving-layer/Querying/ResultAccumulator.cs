using System.Collections;
using System.Numerics;
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
    private int[] _hashes;
    private int _count;

    // Open addressing over row numbers (row + 1; 0 is empty), at most half full: a group's key is looked up and, when
    // new, inserted with one probe sequence, which the BCL's sets cannot do for a key that lives in these arrays. Null
    // once the rows were handed out (frozen).
    private int[]? _slots;

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
        _hashes = new int[capacity];
        _slots = new int[Math.Max(32, (int)BitOperations.RoundUpToPowerOf2((uint)capacity * 2))];
    }

    /// <summary>Groups taken in.</summary>
    public long GroupsMerged { get; private set; }

    /// <summary>An accumulator that starts with this one's rows (shared, copied on write); this one is frozen.</summary>
    public ResultAccumulator Fork()
    {
        _slots = null;
        var fork = new ResultAccumulator(_query, _count);
        Array.Copy(_buckets, fork._buckets, _count);
        Array.Copy(_dimensions, fork._dimensions, _count * _width);
        Array.Copy(_states, fork._states, _count);
        Array.Copy(_handedOut, fork._handedOut, _count);
        Array.Copy(_hashes, fork._hashes, _count);
        // Owners stay zero: every row this one holds is borrowed for the fork.
        for (var row = 0; row < _count; row++)
        {
            fork.Insert(row);
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
        if (_slots is null)
        {
            throw new InvalidOperationException("the accumulator's rows were handed out; fork it to add more groups");
        }

        Grow(_count + 1);
        var slot = _count;
        _buckets[slot] = _granularity is { } granularity ? TimeBucket.Floor(group.BucketStartMilliseconds, granularity) : _query.Range.StartMilliseconds;
        var groupBy = _query.GroupBy;
        for (var d = 0; d < _width; d++)
        {
            _dimensions[(slot * _width) + d] = group.Dimensions[groupBy[d]];
        }

        _hashes[slot] = HashOf(slot);
        var states = group.States;
        var row = Insert(slot);
        if (row == slot)
        {
            // A new row borrows the group's states: a store's cache or an aggregator may own them, so they are cloned
            // only when a second group merges into the row (below), and a row that one group makes (most rows of an
            // answer at the view's own granularity) costs no copy of its states.
            _states[slot] = states as MeasureState[] ?? [.. states];
            _owners[slot] = Borrowed;
            _count++;
        }
        else
        {
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
        _slots = null;
        if (_query.Window is { } window)
        {
            // Grouped by the hash of the group-by values first: the groups' order does not matter (the slid rows are
            // sorted at the end), and comparing integers spares most of the value comparisons.
            var groupHashes = new int[_count];
            for (var row = 0; row < groupHashes.Length; row++)
            {
                groupHashes[row] = DimensionsHashOf(row);
            }

            var byGroup = Order(new RowOrder(this, groupHashes));
            var slid = new List<ResultRow>();
            for (var start = 0; start < byGroup.Length;)
            {
                var end = start + 1;
                while (end < byGroup.Length && SameDimensions(byGroup[start], byGroup[end]))
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
        return new Rows(this, Order(new RowOrder(this, groupHashes: null)), Math.Min(limit, _count));
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

    /// <summary>
    /// The row with the key written at <paramref name="row"/> (its hash in <see cref="_hashes"/>): an earlier one, or
    /// <paramref name="row"/> itself, entered into the index.
    /// </summary>
    private int Insert(int row)
    {
        var slots = _slots!;
        if ((_count + 1) * 2 > slots.Length)
        {
            slots = _slots = Rehash(slots.Length * 2);
        }

        var hash = _hashes[row];
        var mask = slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var held = slots[i] - 1;
            if (held < 0)
            {
                slots[i] = row + 1;
                return row;
            }

            if (_hashes[held] == hash && SameKey(held, row))
            {
                return held;
            }
        }
    }

    private int[] Rehash(int size)
    {
        var slots = new int[size];
        var mask = size - 1;
        for (var row = 0; row < _count; row++)
        {
            var i = _hashes[row] & mask;
            while (slots[i] != 0)
            {
                i = (i + 1) & mask;
            }

            slots[i] = row + 1;
        }

        return slots;
    }

    private bool SameKey(int x, int y) => _buckets[x] == _buckets[y] && SameDimensions(x, y);

    private bool SameDimensions(int x, int y) => DimensionsOf(x).SequenceEqual(DimensionsOf(y));

    private int HashOf(int row) => HashCode.Combine(_buckets[row], DimensionsHashOf(row)) & int.MaxValue;

    private int DimensionsHashOf(int row)
    {
        var hash = default(HashCode);
        foreach (var d in DimensionsOf(row))
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
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
        Array.Resize(ref _hashes, capacity);
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

    /// <summary>Rows with the same group-by values, whatever their buckets (one group).</summary>
    private sealed class DimensionsComparer(ResultAccumulator rows) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => rows.SameDimensions(x, y);

        public int GetHashCode(int obj) => rows.DimensionsHashOf(obj);
    }

    /// <summary>
    /// Answer order (bucket, then group-by values) without <paramref name="groupHashes"/>; with them, group order (the
    /// hash of the group-by values, the values, then bucket).
    /// </summary>
    private sealed class RowOrder(ResultAccumulator rows, int[]? groupHashes) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            if (groupHashes is not null && groupHashes[x] != groupHashes[y])
            {
                return groupHashes[x].CompareTo(groupHashes[y]);
            }

            var byBucket = rows._buckets[x].CompareTo(rows._buckets[y]);
            if (groupHashes is null && byBucket != 0)
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
