namespace Lambda.Testing;

/// <summary>
/// One table of recompute inputs with the answer every entry point must give (the admin API's body, the Hangfire
/// job's arguments, the <c>recompute</c> command's options): the mode accepted, or the argument refused and the
/// exact message. Written out by hand, so a change of rules or wording shows up in every entry point's tests.
/// </summary>
public static class RecomputeRequestCases
{
    /// <summary>Accepted inputs: mode, from, to, and the mode name they resolve to (xunit MemberData rows).</summary>
    public static IEnumerable<object?[]> Accepted { get; } =
    [
        [null, null, null, "incremental"],
        ["incremental", null, null, "incremental"],
        ["full", null, null, "full"],
        [null, "2026-11-01", "2026-11-03", "backfill"],
        ["backfill", "2026-11-01", "2026-11-01", "backfill"],
    ];

    /// <summary>Refused inputs: mode, from, to, the argument named, and the message (xunit MemberData rows).</summary>
    public static IEnumerable<object?[]> Refused { get; } =
    [
        ["Full", null, null, "mode", "mode 'Full' is not a recompute mode; use incremental, full, backfill."],
        ["weekly", null, null, "mode", "mode 'weekly' is not a recompute mode; use incremental, full, backfill."],
        [null, "2026-11-01", null, "to", "to is required for a backfill: the last UTC day to recompute, inclusive (yyyy-MM-dd)."],
        [null, null, "2026-11-01", "from", "from is required for a backfill: the first UTC day to recompute (yyyy-MM-dd)."],
        ["backfill", null, null, "from", "from is required for a backfill: the first UTC day to recompute (yyyy-MM-dd)."],
        [null, "2026-11-05", "2026-11-01", "to", "to (2026-11-01) is before from (2026-11-05)."],
        [null, "01/11/2026", "2026-11-03", "from", "from '01/11/2026' is not a date in the form yyyy-MM-dd (a UTC day)."],
        [null, "2026-11-01", "2026-11-31", "to", "to '2026-11-31' is not a date in the form yyyy-MM-dd (a UTC day)."],
        ["full", "2026-11-01", "2026-11-03", "mode", "from/to select the days of a backfill; mode full takes no range."],
        ["incremental", null, "2026-11-02", "mode", "from/to select the days of a backfill; mode incremental takes no range."],
    ];
}
