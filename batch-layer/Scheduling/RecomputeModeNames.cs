using System.Diagnostics.CodeAnalysis;
using Lambda.BatchLayer.Recompute;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// The names of <see cref="RecomputeMode"/> values used in job arguments, on the command line and in
/// <c>batch_runs.mode</c>: <c>incremental</c>, <c>full</c>, <c>backfill</c>.
/// </summary>
public static class RecomputeModeNames
{
    /// <summary><see cref="RecomputeMode.Incremental"/>.</summary>
    public const string Incremental = "incremental";

    /// <summary><see cref="RecomputeMode.Full"/>.</summary>
    public const string Full = "full";

    /// <summary><see cref="RecomputeMode.Backfill"/>.</summary>
    public const string Backfill = "backfill";

    /// <summary>The name of a mode.</summary>
    public static string ToName(this RecomputeMode mode) => mode switch
    {
        RecomputeMode.Incremental => Incremental,
        RecomputeMode.Full => Full,
        RecomputeMode.Backfill => Backfill,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown recompute mode."),
    };

    /// <summary>Parses a mode name (case-insensitive).</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out RecomputeMode mode)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case Incremental:
                mode = RecomputeMode.Incremental;
                return true;
            case Full:
                mode = RecomputeMode.Full;
                return true;
            case Backfill:
                mode = RecomputeMode.Backfill;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    /// <summary>Parses a mode name (case-insensitive).</summary>
    /// <exception cref="FormatException">Not a mode name.</exception>
    public static RecomputeMode Parse(string name) =>
        TryParse(name, out var mode) ? mode : throw new FormatException($"'{name}' is not a recompute mode ({Incremental}, {Full}, {Backfill}).");
}
