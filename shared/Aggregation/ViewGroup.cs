using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.Shared.Aggregation;

/// <summary>
/// One group of a view: a time bucket, one value per dimension, and one state per measure (in the
/// view's declaration order).
/// </summary>
public sealed class ViewGroup
{
    private readonly FieldValue[] _dimensions;
    private readonly MeasureState[] _states;

    internal ViewGroup(ViewDefinition view, long bucketStart, FieldValue[] dimensions, MeasureState[] states)
    {
        View = view;
        BucketStartMilliseconds = bucketStart;
        _dimensions = dimensions;
        _states = states;
    }

    /// <summary>Orders groups by bucket start, then by dimension values (<see cref="FieldValue.CompareTo"/>) in dimension order.</summary>
    public static IComparer<ViewGroup> KeyComparer { get; } = Comparer<ViewGroup>.Create((a, b) => a.CompareKeyTo(b));

    /// <summary>The view.</summary>
    public ViewDefinition View { get; }

    /// <summary>Start of the bucket, UTC epoch milliseconds.</summary>
    public long BucketStartMilliseconds { get; }

    /// <summary>Start of the bucket (UTC).</summary>
    public DateTimeOffset BucketStart => DateTimeOffset.FromUnixTimeMilliseconds(BucketStartMilliseconds);

    /// <summary>The dimension values, in the view's dimension order.</summary>
    public IReadOnlyList<FieldValue> Dimensions => _dimensions;

    /// <summary>The measure states, in the view's measure order.</summary>
    public IReadOnlyList<MeasureState> States => _states;

    /// <summary>The final value of measure <paramref name="measureIndex"/>.</summary>
    public MeasureValue GetValue(int measureIndex) => _states[measureIndex].GetValue();

    /// <summary>The final value of the measure named <paramref name="measureName"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such measure.</exception>
    public MeasureValue GetValue(string measureName) => _states[View.GetMeasure(measureName).Index].GetValue();

    /// <summary>The value of the dimension named <paramref name="dimensionName"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such dimension.</exception>
    public FieldValue GetDimension(string dimensionName)
    {
        var i = View.IndexOfDimension(dimensionName);
        return i >= 0 ? _dimensions[i] : throw new KeyNotFoundException($"dimension '{dimensionName}' is not in view '{View.Name}'");
    }

    /// <summary>Every measure state serialised (<see cref="MeasureState.ToBytes"/>), in measure order.</summary>
    public byte[][] SerializeStates() => _states.Select(s => s.ToBytes()).ToArray();

    /// <summary>Compares bucket, then dimension values.</summary>
    public int CompareKeyTo(ViewGroup other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var c = BucketStartMilliseconds.CompareTo(other.BucketStartMilliseconds);
        for (var i = 0; c == 0 && i < _dimensions.Length && i < other._dimensions.Length; i++)
        {
            c = _dimensions[i].CompareTo(other._dimensions[i]);
        }

        return c != 0 ? c : _dimensions.Length.CompareTo(other._dimensions.Length);
    }

    /// <summary>True when the key is equal and every state serialises to the same bytes.</summary>
    public bool ContentEquals(ViewGroup? other)
    {
        if (other is null || CompareKeyTo(other) != 0 || other._states.Length != _states.Length)
        {
            return false;
        }

        for (var i = 0; i < _states.Length; i++)
        {
            if (!_states[i].ContentEquals(other._states[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The key only: <c>2026-11-25T10:00:00.000Z [US]</c>.</summary>
    public string KeyToString() =>
        $"{Time.TimeBucket.ToIso(BucketStartMilliseconds)} [{string.Join(", ", _dimensions.Select(d => d.ToCanonicalString()))}]";

    /// <summary>Key and values: <c>2026-11-25T10:00:00.000Z [US] orders=12 revenue=345.60 …</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(KeyToString());
        for (var i = 0; i < _states.Length; i++)
        {
            sb.Append(' ').Append(View.Measures[i].Name).Append('=').Append(_states[i].GetValue());
        }

        return sb.ToString();
    }
}
