using Lambda.Shared.SpeedViews;

namespace Lambda.BatchLayer.Drift;

/// <summary>The audit of one view after one recompute: what was compared and what was found.</summary>
/// <param name="Id">The audit's id.</param>
/// <param name="RunId">The recompute run whose publish caused the audit (the manifest's run id).</param>
/// <param name="View">The view's name.</param>
/// <param name="ViewHash">The view's definition hash.</param>
/// <param name="Ranges">Per partition, the audited offsets: [previous watermark, new watermark).</param>
/// <param name="Outcome">One of <see cref="Lambda.Shared.Drift.DriftOutcomes"/>.</param>
/// <param name="DifferenceCount">How many differences were found (all of them, even when fewer are stored).</param>
/// <param name="SpeedGroups">Groups the speed deltas of the ranges hold.</param>
/// <param name="BatchGroups">Groups the batch kernel computed over the archived events of the ranges.</param>
/// <param name="ReferenceVersion">The versions of the reference data (lookups) the run joined for the view
/// (<see cref="ReferenceVersionOf"/>); null for a view without lookups.</param>
/// <param name="Error">Why the audit failed (outcome failed), without server names; null otherwise.</param>
/// <param name="AuditedAt">When the audit ended (UTC).</param>
/// <param name="Differences">The differences stored (at most <c>Drift:MaxStoredDifferences</c>).</param>
public sealed record DriftViewAudit(
    Guid Id,
    string RunId,
    string View,
    string ViewHash,
    IReadOnlyDictionary<int, SpeedOffsetRange> Ranges,
    string Outcome,
    int DifferenceCount,
    int SpeedGroups,
    int BatchGroups,
    string? ReferenceVersion,
    string? Error,
    DateTimeOffset AuditedAt,
    IReadOnlyList<DriftDifference> Differences)
{
    /// <summary>
    /// The lookup versions a published view was computed with (the manifest entry's <c>lookups</c>) as one text,
    /// <c>name=vN</c> joined by commas in name order, e.g. <c>countries=v3,fx_rates=v12</c>; null when the view joins none.
    /// A back-dated publish is the one expected cause of drift, so the audit row names what the batch side joined.
    /// </summary>
    public static string? ReferenceVersionOf(IReadOnlyDictionary<string, long>? lookups) =>
        lookups is null || lookups.Count == 0
            ? null
            : string.Join(',', lookups.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=v{l.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
}
