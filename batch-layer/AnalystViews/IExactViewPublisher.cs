using Lambda.Shared.BatchViews;

namespace Lambda.BatchLayer.AnalystViews;

/// <summary>
/// Keeps the analysts' exact views in ClickHouse in step with the published batch views: creates each catalog view's exact
/// view, loads the run a manifest names into the run-tagged batch tables, writes its watermarks and, last, moves the
/// per-view pointer to it. Design: docs/design-notes.md, "Exact analyst views in ClickHouse".
/// </summary>
public interface IExactViewPublisher
{
    /// <summary>
    /// Makes ClickHouse's exact views read the runs <paramref name="manifest"/> names (null: nothing published yet, the
    /// views read every speed delta). Idempotent; a pointer never moves back to a run published before the one it names.
    /// Returns the number of (view, day) files loaded.
    /// </summary>
    Task<int> PublishAsync(BatchManifest? manifest, CancellationToken cancellationToken);
}
