namespace Lambda.ServingLayer.Contracts;

/// <summary>Body of the 202 answer to <c>POST /api/admin/batch/recompute</c>.</summary>
/// <param name="JobId">The Hangfire job id.</param>
/// <param name="Mode">incremental, full or backfill.</param>
/// <param name="From">First UTC day of a backfill.</param>
/// <param name="To">Last UTC day (inclusive) of a backfill.</param>
/// <param name="Queue">The Hangfire queue (batch).</param>
public sealed record RecomputeAccepted(string JobId, string Mode, DateOnly? From, DateOnly? To, string Queue);
