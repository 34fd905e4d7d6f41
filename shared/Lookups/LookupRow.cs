using Lambda.Shared.Events;

namespace Lambda.Shared.Lookups;

/// <summary>One published row of a lookup: its key values, when it starts to be valid, and its values (a value may be null).</summary>
/// <param name="Keys">One value per key column, in the lookup's key order (never null).</param>
/// <param name="ValidFromMilliseconds">UTC epoch milliseconds from which the row is valid; null for an unversioned lookup.</param>
/// <param name="Values">One value per value column, in the lookup's value order (<see cref="FieldValue.Null"/> for an empty cell).</param>
public sealed record LookupRow(IReadOnlyList<FieldValue> Keys, long? ValidFromMilliseconds, IReadOnlyList<FieldValue> Values)
{
    /// <summary>Equality by content (the lists compare element by element).</summary>
    public bool Equals(LookupRow? other) =>
        other is not null && ValidFromMilliseconds == other.ValidFromMilliseconds && Keys.SequenceEqual(other.Keys) && Values.SequenceEqual(other.Values);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(ValidFromMilliseconds);
        foreach (var k in Keys)
        {
            hash.Add(k);
        }

        foreach (var v in Values)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }
}
