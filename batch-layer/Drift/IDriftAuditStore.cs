namespace Lambda.BatchLayer.Drift;

/// <summary>The batch layer's port to the drift audit tables (<see cref="Lambda.Shared.Drift.DriftSchema"/>): it writes them.</summary>
public interface IDriftAuditStore
{
    /// <summary>Creates the tables unless this process already did.</summary>
    Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Stores one view's audit and its differences in one transaction.</summary>
    Task SaveAsync(DriftViewAudit audit, CancellationToken cancellationToken);
}
