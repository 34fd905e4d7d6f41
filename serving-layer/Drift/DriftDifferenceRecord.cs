using System.Text.Json;

namespace Lambda.ServingLayer.Drift;

/// <summary>One stored difference (a row of <c>drift_differences</c> with its audit's run).</summary>
/// <param name="AuditId">The audit that found it.</param>
/// <param name="RunId">The recompute run whose publish caused the audit.</param>
/// <param name="View">The view.</param>
/// <param name="Bucket">Start of the view's bucket (UTC).</param>
/// <param name="Group">The group's dimension values by name (canonical text, null for a null value).</param>
/// <param name="Measure">The measure.</param>
/// <param name="SpeedValue">What the speed deltas give (JSON value, as the query API writes it).</param>
/// <param name="BatchValue">What the batch layer computes over the same archived offsets.</param>
/// <param name="AuditedAt">When the audit ran (UTC).</param>
public sealed record DriftDifferenceRecord(
    Guid AuditId,
    string RunId,
    string View,
    DateTime Bucket,
    JsonElement Group,
    string Measure,
    JsonElement SpeedValue,
    JsonElement BatchValue,
    DateTime AuditedAt);
