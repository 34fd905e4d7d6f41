namespace Lambda.Benchmarks.Soak;

/// <summary>Count and sum of the amounts of one group of a view.</summary>
internal readonly record struct GroupTotal(long Count, decimal Sum)
{
    public GroupTotal Add(decimal amount) => new(Count + 1, Sum + amount);
}
