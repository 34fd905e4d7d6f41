namespace Lambda.ServingLayer.Admin;

/// <summary>A recompute to enqueue.</summary>
/// <param name="Mode"><c>incremental</c>, <c>full</c> or <c>backfill</c>.</param>
/// <param name="From">First UTC day of a backfill.</param>
/// <param name="To">Last UTC day (inclusive) of a backfill.</param>
public sealed record RecomputeCommand(string Mode, DateOnly? From, DateOnly? To)
{
    /// <summary>Days of new data only.</summary>
    public const string Incremental = "incremental";

    /// <summary>Every day of the master dataset.</summary>
    public const string Full = "full";

    /// <summary>The days From..To.</summary>
    public const string Backfill = "backfill";

    /// <summary>The modes.</summary>
    public static IReadOnlyList<string> Modes { get; } = [Incremental, Full, Backfill];
}
