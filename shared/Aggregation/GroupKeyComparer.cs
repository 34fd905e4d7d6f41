namespace Lambda.Shared.Aggregation;

/// <summary>Content equality for group keys (bucket start followed by one 64-bit slot per dimension), with span lookups.</summary>
internal sealed class GroupKeyComparer : IEqualityComparer<long[]>, IAlternateEqualityComparer<ReadOnlySpan<long>, long[]>
{
    public static GroupKeyComparer Instance { get; } = new();

    public bool Equals(long[]? x, long[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(long[] obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<long> alternate, long[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<long> alternate)
    {
        var hash = default(HashCode);
        foreach (var v in alternate)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }

    public long[] Create(ReadOnlySpan<long> alternate) => alternate.ToArray();
}
