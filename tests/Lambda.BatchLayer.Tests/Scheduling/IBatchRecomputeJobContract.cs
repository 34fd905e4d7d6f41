namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// What another service (the serving layer) declares to enqueue recomputes without referencing the
/// batch layer: the same method signature as RecomputeJob.RunAsync, mapped to its type name by a
/// Hangfire type serializer.
/// </summary>
public interface IBatchRecomputeJobContract
{
    Task RunAsync(string? mode, string? from, string? to, string? requestedBy, CancellationToken cancellationToken);
}
