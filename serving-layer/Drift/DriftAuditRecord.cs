using System.Text.Json;

namespace Lambda.ServingLayer.Drift;

/// <summary>One stored drift audit: one view after one recompute (a row of <c>drift_audits</c>).</summary>
/// <param name="Id">The audit's id.</param>
/// <param name="RunId">The recompute run whose publish caused the audit.</param>
/// <param name="View">The view.</param>
/// <param name="ViewHash">The view's definition hash.</param>
/// <param name="Ranges">Per partition, the audited offsets <c>{"0": {"from": .., "to": ..}}</c>: [previous watermark, new watermark).</param>
/// <param name="Outcome"><c>clean</c>, <c>drift</c> or <c>failed</c>.</param>
/// <param name="Differences">How many differences were found.</param>
/// <param name="SpeedGroups">Groups of the speed deltas compared.</param>
/// <param name="BatchGroups">Groups of the batch computation compared.</param>
/// <param name="ReferenceVersion">The reference-data version the recompute joined; null when none.</param>
/// <param name="Error">Why the audit failed; null otherwise.</param>
/// <param name="AuditedAt">When (UTC).</param>
public sealed record DriftAuditRecord(
    Guid Id,
    string RunId,
    string View,
    string ViewHash,
    JsonElement Ranges,
    string Outcome,
    int Differences,
    int SpeedGroups,
    int BatchGroups,
    string? ReferenceVersion,
    string? Error,
    DateTime AuditedAt);
