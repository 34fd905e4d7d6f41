namespace Lambda.Shared.BatchViews;

/// <summary>
/// The batch layer's port for a recompute's day files between the worker that writes one and the instance that publishes
/// the run: the worker stages each file it wrote under its local root where the publish will find it.
/// </summary>
public interface IBatchViewFileStager
{
    /// <summary>
    /// Makes the day file <paramref name="file"/> (root-relative, written under this instance's root) available to the
    /// publish of its run on any instance: on the s3 kind it is uploaded to its key (a run's keys are its own, never
    /// overwritten), on the local kind instances share the root, so nothing moves.
    /// </summary>
    Task StageAsync(string file, CancellationToken cancellationToken);
}
