using System.Runtime.CompilerServices;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Filtering;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.Shared.Aggregation;

/// <summary>
/// Computes one view: events are filtered, assigned to a (time bucket, dimension values) group and
/// folded into that group's measure states. This is the code both the speed layer (per flush interval)
/// and the batch layer (per recompute) run, so equal events give equal states, and aggregators over any
/// split of the events merge (<see cref="Merge"/>) to the aggregate of all of them.
/// </summary>
/// <remarks>
/// <para>Per event it allocates nothing once a group exists: string dimension values are interned by
/// their UTF-8 bytes, group keys are looked up by span, states are updated in place.</para>
/// <para>Typical use: <c>Add</c> events; at a flush <see cref="Drain"/> the groups (the aggregator is
/// then empty and ready for the next interval); or <see cref="Merge"/> partial aggregators; read states
/// back from storage with <see cref="MergeGroup(long, ReadOnlySpan{FieldValue}, IReadOnlyList{byte[]})"/>.</para>
/// <para>An aggregator may use a coarser granularity than its view (roll-up). Not thread-safe.</para>
/// </remarks>
public sealed class ViewAggregator
{
    private const int InternerResetThreshold = 1 << 16;

    private readonly SourceDefinition _source;
    private readonly Filter _filter;
    private readonly bool _matchAll;
    private readonly bool _derive;

    // Bit e: enrichment e of the source is used by the view and its lookup drops (drop, dead_letter) an event it misses.
    private readonly long _dropOnMiss;
    private readonly bool[] _measureSkipsNull;
    private readonly long _bucketWidth;
    private readonly int _dimensionCount;

    // 1 + dimensions, plus one slot of null flags (bit d: dimension d is null) when a dimension can be null (derived or optional).
    private readonly int _keyLength;
    private readonly bool[] _dimensionNullable;
    private readonly int _measureCount;
    private readonly int[] _dimensionOrdinals;
    private readonly FieldType[] _dimensionTypes;
    private readonly Utf8Interner?[] _interners;
    private readonly int[] _measureOrdinals;
    private readonly MeasureDefinition[] _measures;
    private readonly Dictionary<long[], int> _groups;
    private readonly Dictionary<long[], int>.AlternateLookup<ReadOnlySpan<long>> _lookup;
    private long[][] _keys;
    private MeasureState[] _states;
    private int _groupCount;

    /// <summary>Creates an empty aggregator for <paramref name="view"/>.</summary>
    /// <param name="view">The view to compute.</param>
    /// <param name="granularity">Bucket width; defaults to the view's; may be coarser (roll-up), not finer.</param>
    /// <exception cref="ArgumentException"><paramref name="granularity"/> is finer than the view's.</exception>
    public ViewAggregator(ViewDefinition view, Granularity? granularity = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        View = view;
        Granularity = granularity ?? view.Granularity;
        if (!view.Granularity.CanRollUpTo(Granularity))
        {
            throw new ArgumentException(
                $"view '{view.Name}' is computed per {view.Granularity.ToName()}; it cannot be aggregated per {Granularity.ToName()}",
                nameof(granularity));
        }

        _source = view.Source;
        _filter = view.Filter;
        _matchAll = view.Filter.IsMatchAll;
        _derive = view.DerivedFields.Count > 0;
        _dropOnMiss = view.Enrichments.Where(e => e.Lookup.OnMissing != Lookups.LookupMissingPolicy.Null).Aggregate(0L, (mask, e) => mask | (1L << e.Index));
        _bucketWidth = Granularity.ToMilliseconds();
        _dimensionCount = view.Dimensions.Count;
        _dimensionNullable = view.Dimensions.Select(d => d.IsNullable).ToArray();
        _keyLength = 1 + _dimensionCount + (_dimensionNullable.Any(d => d) ? 1 : 0);
        if (_keyLength > 1 + _dimensionCount && _dimensionCount > 63)
        {
            throw new ArgumentException($"view '{view.Name}' has {_dimensionCount} dimensions; with nullable dimensions at most 63 are supported", nameof(view));
        }

        _dimensionOrdinals = view.Dimensions.Select(d => d.Ordinal).ToArray();
        _dimensionTypes = view.Dimensions.Select(d => d.Type).ToArray();
        _interners = view.Dimensions.Select(d => d.Type.Kind == FieldKind.String ? new Utf8Interner() : null).ToArray();
        _measures = view.Measures.ToArray();
        _measureCount = _measures.Length;
        _measureOrdinals = _measures.Select(m => m.Field?.Ordinal ?? -1).ToArray();
        _measureSkipsNull = _measures.Select(m => m.Field?.IsNullable == true).ToArray();
        _groups = new Dictionary<long[], int>(GroupKeyComparer.Instance);
        _lookup = _groups.GetAlternateLookup<ReadOnlySpan<long>>();
        _keys = new long[16][];
        _states = new MeasureState[16 * _measureCount];
    }

    /// <summary>The view.</summary>
    public ViewDefinition View { get; }

    /// <summary>The bucket width in use (the view's, or coarser).</summary>
    public Granularity Granularity { get; }

    /// <summary>Number of groups held.</summary>
    public int GroupCount => _groupCount;

    /// <summary>Events passed to <see cref="Add"/> since creation (not reset by <see cref="Drain"/>).</summary>
    public long EventsSeen { get; private set; }

    /// <summary>Events that passed the filter since creation (not reset by <see cref="Drain"/>).</summary>
    public long EventsMatched { get; private set; }

    /// <summary>
    /// Adds one event: applies the view's filter and, when it matches, updates the measures of the
    /// event's group. The record must be complete (as <see cref="EventParser"/> leaves it).
    /// </summary>
    /// <returns>True when the event matched the filter.</returns>
    /// <exception cref="ArgumentException">The record belongs to another source.</exception>
    /// <exception cref="InvalidOperationException">The record has no event time.</exception>
    [SkipLocalsInit]
    public bool Add(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!ReferenceEquals(record.Source, _source))
        {
            throw new ArgumentException($"view '{View.Name}' reads source '{_source.Name}', the record is from '{record.Source.Name}'", nameof(record));
        }

        if (!record.HasTimestamp)
        {
            throw new InvalidOperationException($"the record has no event time '{_source.TimeField}'");
        }

        EventsSeen++;
        if (_derive)
        {
            // Once per event (the record remembers), before the filter: every view of the source shares the values.
            record.ComputeDerived();
            if ((record.MissedLookups & _dropOnMiss) != 0)
            {
                // on_missing drop or dead_letter: the view does not count an event its lookup has no row for.
                return false;
            }
        }

        if (!_matchAll && !_filter.Matches(record))
        {
            return false;
        }

        EventsMatched++;
        Span<long> key = stackalloc long[_keyLength];
        key[0] = FloorBucket(record.RawTimestamp);
        var nulls = 0L;
        for (var d = 0; d < _dimensionCount; d++)
        {
            var ordinal = _dimensionOrdinals[d];
            if (_dimensionNullable[d] && !record.IsSet(ordinal))
            {
                // A null value (derived or optional field) is its own group: flagged, with 0 in its slot.
                nulls |= 1L << d;
                key[d + 1] = 0;
                continue;
            }

            key[d + 1] = _interners[d] is { } interner ? interner.Intern(record.RawUtf8(ordinal)) : record.RawBits(ordinal);
        }

        if (_keyLength > 1 + _dimensionCount)
        {
            key[^1] = nulls;
        }

        var group = FindOrAdd(key);
        var states = _states;
        var offset = group * _measureCount;
        for (var m = 0; m < _measureCount; m++)
        {
            // A measure skips a null argument; count counts events.
            var ordinal = _measureOrdinals[m];
            if (!_measureSkipsNull[m] || record.IsSet(ordinal))
            {
                states[offset + m].Accumulate(record, ordinal);
            }
        }

        return true;
    }

    /// <summary>
    /// Merges every group of <paramref name="other"/> into this aggregator (<paramref name="other"/> is
    /// not changed). Both must compute the same view definition; <paramref name="other"/>'s buckets are
    /// rolled up when this aggregator is coarser.
    /// </summary>
    /// <exception cref="ArgumentException">Another view definition, or <paramref name="other"/> is coarser than this aggregator.</exception>
    [SkipLocalsInit]
    public void Merge(ViewAggregator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            throw new ArgumentException("an aggregator cannot be merged into itself", nameof(other));
        }

        if (!string.Equals(other.View.DefinitionHash, View.DefinitionHash, StringComparison.Ordinal) || other._dimensionCount != _dimensionCount)
        {
            throw new ArgumentException(
                $"cannot merge view '{other.View.Name}' ({other.View.DefinitionHash}) into view '{View.Name}' ({View.DefinitionHash})", nameof(other));
        }

        if (!other.Granularity.CanRollUpTo(Granularity))
        {
            throw new ArgumentException(
                $"cannot merge {other.Granularity.ToName()} buckets into a {Granularity.ToName()} aggregator", nameof(other));
        }

        Span<long> key = stackalloc long[_keyLength];
        for (var g = 0; g < other._groupCount; g++)
        {
            var otherKey = other._keys[g];
            key[0] = FloorBucket(otherKey[0]);
            var nulls = _keyLength > 1 + _dimensionCount ? otherKey[^1] : 0;
            for (var d = 0; d < _dimensionCount; d++)
            {
                key[d + 1] = (nulls & (1L << d)) != 0 ? 0
                    : _interners[d] is { } interner ? interner.Intern(other._interners[d]!.GetBytes(otherKey[d + 1])) : otherKey[d + 1];
            }

            if (_keyLength > 1 + _dimensionCount)
            {
                key[^1] = nulls;
            }

            var group = FindOrAdd(key);
            for (var m = 0; m < _measureCount; m++)
            {
                _states[(group * _measureCount) + m].Merge(other._states[(g * other._measureCount) + m]);
            }
        }
    }

    /// <summary>
    /// Merges one group given as typed dimension values and states (e.g. a speed delta or a batch row
    /// read back from storage) into the aggregator. The bucket is floored to this aggregator's
    /// granularity; the states are merged, not adopted, so the caller keeps ownership.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong number or types of dimension values or states.</exception>
    [SkipLocalsInit]
    public void MergeGroup(long bucketStart, ReadOnlySpan<FieldValue> dimensions, IReadOnlyList<MeasureState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count != _measureCount)
        {
            throw new ArgumentException($"view '{View.Name}' has {_measureCount} measures; {states.Count} states were given", nameof(states));
        }

        var group = FindOrAddGroup(bucketStart, dimensions);
        for (var m = 0; m < _measureCount; m++)
        {
            _states[(group * _measureCount) + m].Merge(states[m]);
        }
    }

    /// <summary>
    /// Merges one group given as typed dimension values and serialised states (<see cref="MeasureState.ToBytes"/>,
    /// one per measure in declaration order).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong number or types of dimension values or states.</exception>
    /// <exception cref="FormatException">A state's bytes are invalid for its measure.</exception>
    public void MergeGroup(long bucketStart, ReadOnlySpan<FieldValue> dimensions, IReadOnlyList<byte[]> serializedStates)
    {
        ArgumentNullException.ThrowIfNull(serializedStates);
        if (serializedStates.Count != _measureCount)
        {
            throw new ArgumentException($"view '{View.Name}' has {_measureCount} measures; {serializedStates.Count} states were given", nameof(serializedStates));
        }

        var states = new MeasureState[_measureCount];
        for (var m = 0; m < _measureCount; m++)
        {
            states[m] = _measures[m].ReadState(serializedStates[m]);
        }

        MergeGroup(bucketStart, dimensions, states);
    }

    /// <summary>Merges a group of another aggregator or drain of the same view (rolled up to this granularity).</summary>
    /// <exception cref="ArgumentException">The group belongs to another view definition.</exception>
    public void MergeGroup(ViewGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!string.Equals(group.View.DefinitionHash, View.DefinitionHash, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the group belongs to view '{group.View.Name}' ({group.View.DefinitionHash}), not '{View.Name}' ({View.DefinitionHash})", nameof(group));
        }

        MergeGroup(group.BucketStartMilliseconds, group.Dimensions.ToArray(), group.States);
    }

    /// <summary>
    /// The current groups, in no particular order. The groups share their states with the aggregator:
    /// they change when more events are added. Use <see cref="Drain"/> to take them over.
    /// </summary>
    public IReadOnlyList<ViewGroup> GetGroups()
    {
        var groups = new ViewGroup[_groupCount];
        for (var g = 0; g < _groupCount; g++)
        {
            groups[g] = CreateGroup(g);
        }

        return groups;
    }

    /// <summary>The current groups sorted by <see cref="ViewGroup.KeyComparer"/> (states shared as in <see cref="GetGroups"/>).</summary>
    public IReadOnlyList<ViewGroup> GetSortedGroups()
    {
        var groups = GetGroups().ToArray();
        Array.Sort(groups, ViewGroup.KeyComparer);
        return groups;
    }

    /// <summary>
    /// Takes every group out (the caller owns their states) and leaves the aggregator empty, ready for
    /// the next interval. Event counters are kept.
    /// </summary>
    public IReadOnlyList<ViewGroup> Drain()
    {
        var groups = GetGroups();
        Reset();
        return groups;
    }

    /// <summary>Drops every group (event counters are kept).</summary>
    public void Clear() => Reset();

    /// <summary>True when both aggregators hold the same groups with byte-identical states.</summary>
    public bool ContentEquals(ViewAggregator other) => FindDifference(this, other) is null;

    /// <summary>
    /// Describes the first difference between two aggregators' contents (groups compared by key,
    /// states by their serialised bytes), or null when they are equal. Meant for test assertions.
    /// </summary>
    public static string? FindDifference(ViewAggregator expected, ViewAggregator actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        return FindDifference(expected.GetSortedGroups(), actual.GetSortedGroups());
    }

    /// <summary>Describes the first difference between two sets of groups (any order), or null when they are equal.</summary>
    public static string? FindDifference(IEnumerable<ViewGroup> expected, IEnumerable<ViewGroup> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var e = expected.Order(ViewGroup.KeyComparer).ToArray();
        var a = actual.Order(ViewGroup.KeyComparer).ToArray();
        int i = 0, j = 0;
        while (i < e.Length || j < a.Length)
        {
            var c = i >= e.Length ? 1 : j >= a.Length ? -1 : e[i].CompareKeyTo(a[j]);
            if (c < 0)
            {
                return $"group {e[i].KeyToString()} is missing (expected {e[i]})";
            }

            if (c > 0)
            {
                return $"unexpected group {a[j]}";
            }

            if (!e[i].ContentEquals(a[j]))
            {
                return $"group differs: expected {e[i]}, actual {a[j]}";
            }

            i++;
            j++;
        }

        return null;
    }

    private long FloorBucket(long epochMilliseconds)
    {
        var remainder = epochMilliseconds % _bucketWidth;
        return remainder < 0 ? epochMilliseconds - remainder - _bucketWidth : epochMilliseconds - remainder;
    }

    [SkipLocalsInit]
    private int FindOrAddGroup(long bucketStart, ReadOnlySpan<FieldValue> dimensions)
    {
        if (dimensions.Length != _dimensionCount)
        {
            throw new ArgumentException($"view '{View.Name}' has {_dimensionCount} dimensions; {dimensions.Length} values were given", nameof(dimensions));
        }

        Span<long> key = stackalloc long[_keyLength];
        key[0] = FloorBucket(bucketStart);
        var nulls = 0L;
        for (var d = 0; d < _dimensionCount; d++)
        {
            var value = dimensions[d];
            if (value.Type != _dimensionTypes[d] || (value.IsNull && !_dimensionNullable[d]))
            {
                throw new ArgumentException(
                    $"dimension '{View.Dimensions[d].Name}' is {_dimensionTypes[d]}{(_dimensionNullable[d] ? " or null" : string.Empty)}; the value '{value}' is {(value.IsNull ? "null" : value.Type)}", nameof(dimensions));
            }

            if (value.IsNull)
            {
                nulls |= 1L << d;
                key[d + 1] = 0;
                continue;
            }

            key[d + 1] = _interners[d] is { } interner ? interner.Intern(value.AsString()) : value.RawBits;
        }

        if (_keyLength > 1 + _dimensionCount)
        {
            key[^1] = nulls;
        }

        return FindOrAdd(key);
    }

    private int FindOrAdd(ReadOnlySpan<long> key)
    {
        if (_lookup.TryGetValue(key, out var group))
        {
            return group;
        }

        group = _groupCount;
        if (group == _keys.Length)
        {
            Array.Resize(ref _keys, _keys.Length * 2);
            Array.Resize(ref _states, _keys.Length * _measureCount);
        }

        var stored = key.ToArray();
        _keys[group] = stored;
        _groups.Add(stored, group);
        var offset = group * _measureCount;
        for (var m = 0; m < _measureCount; m++)
        {
            _states[offset + m] = _measures[m].CreateState();
        }

        _groupCount++;
        return group;
    }

    private ViewGroup CreateGroup(int group)
    {
        var key = _keys[group];
        var nulls = _keyLength > 1 + _dimensionCount ? key[^1] : 0;
        var dimensions = new FieldValue[_dimensionCount];
        for (var d = 0; d < _dimensionCount; d++)
        {
            dimensions[d] = (nulls & (1L << d)) != 0 ? FieldValue.Null(_dimensionTypes[d])
                : _interners[d] is { } interner
                ? FieldValue.FromString(interner.GetString(key[d + 1]))
                : FieldValue.FromRawBits(_dimensionTypes[d], key[d + 1]);
        }

        return new ViewGroup(View, key[0], dimensions, _states.AsSpan(group * _measureCount, _measureCount).ToArray());
    }

    private void Reset()
    {
        _groups.Clear();
        Array.Clear(_keys, 0, _groupCount);
        // The states may now belong to a caller (Drain); new groups get new states.
        Array.Clear(_states, 0, _groupCount * _measureCount);
        _groupCount = 0;
        foreach (var interner in _interners)
        {
            if (interner is { Count: > InternerResetThreshold })
            {
                interner.Clear();
            }
        }
    }
}
