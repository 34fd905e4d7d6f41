namespace Lambda.ServingLayer.Drift;

/// <summary>
/// The answer of <c>GET /api/admin/drift</c>: the newest audits (one per view and recompute; <c>from</c>/<c>to</c> do not
/// filter them) and the differences whose bucket lies in [from, to).
/// </summary>
/// <param name="Audits">Newest first.</param>
/// <param name="Differences">Newest audit first, then by bucket, group and measure.</param>
public sealed record DriftResponse(IReadOnlyList<DriftAuditRecord> Audits, IReadOnlyList<DriftDifferenceRecord> Differences);
