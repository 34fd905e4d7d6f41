using Lambda.Shared.Batch;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Recomputes batch views from the master dataset and publishes them through the manifest.
/// The seam between the scheduling side (Hangfire jobs, command line, admin API) and the engine.
/// </summary>
public interface IRecomputeEngine
{
    /// <summary>Runs one recompute and publishes its result atomically, or publishes nothing.</summary>
    Task<RecomputeResult> RunAsync(RecomputeRequest request, IProgress<RecomputeProgress>? progress, CancellationToken cancellationToken);
}
