namespace Lambda.ServingLayer.Contracts;

/// <summary>The optional body of <c>POST /api/admin/batch/recompute</c> (for the OpenAPI document).</summary>
/// <param name="Mode">incremental (default without a range), full, or backfill (default with a range).</param>
/// <param name="From">First UTC day of a backfill, e.g. 2026-11-01.</param>
/// <param name="To">Last UTC day (inclusive) of a backfill.</param>
public sealed record RecomputeBodyDocument(string? Mode, DateOnly? From, DateOnly? To);
