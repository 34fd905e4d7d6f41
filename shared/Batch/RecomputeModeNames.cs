using System.Diagnostics.CodeAnalysis;

namespace Lambda.Shared.Batch;

/// <summary>
/// The names of <see cref="RecomputeMode"/> values in the admin API's body, in job arguments, on the command line
/// and in <c>batch_runs.mode</c>: <c>incremental</c>, <c>full</c>, <c>backfill</c>. Names are matched exactly
/// (ordinal): every entry point accepts the same spellings.
/// </summary>
public static class RecomputeModeNames
{
    /// <summary><see cref="RecomputeMode.Incremental"/>.</summary>
    public const string Incremental = "incremental";

    /// <summary><see cref="RecomputeMode.Full"/>.</summary>
    public const string Full = "full";

    /// <summary><see cref="RecomputeMode.Backfill"/>.</summary>
    public const string Backfill = "backfill";

    /// <summary>Every mode name, in the order error messages list them.</summary>
    public static IReadOnlyList<string> All { get; } = [Incremental, Full, Backfill];

    /// <summary>The name of a mode.</summary>
    public static string ToName(this RecomputeMode mode) => mode switch
    {
        RecomputeMode.Incremental => Incremental,
        RecomputeMode.Full => Full,
        RecomputeMode.Backfill => Backfill,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown recompute mode."),
    };

    /// <summary>Parses a mode name (exact spelling).</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out RecomputeMode mode)
    {
        switch (name)
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

    /// <summary>Parses a mode name (exact spelling).</summary>
    /// <exception cref="FormatException">Not a mode name.</exception>
    public static RecomputeMode Parse(string name) =>
        TryParse(name, out var mode) ? mode : throw new FormatException($"'{name}' is not a recompute mode ({string.Join(", ", All)}).");
}
