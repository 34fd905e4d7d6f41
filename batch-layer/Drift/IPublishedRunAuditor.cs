using Lambda.Shared.BatchViews;

namespace Lambda.BatchLayer.Drift;

/// <summary>
/// What the recompute engine calls once a run's manifest is published, before the speed deltas it covers may be
/// dropped: the drift audit. It must neither throw nor be cancelled by the run (the publish already happened): a
/// failure is the auditor's to log and record.
/// </summary>
public interface IPublishedRunAuditor
{
    /// <summary>Audits the views <paramref name="published"/> changed, against <paramref name="previous"/> (the manifest current before it; null for none).</summary>
    Task AuditAsync(string runId, BatchManifest? previous, BatchManifest published);
}
