using Hangfire.Server;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Gives a running <see cref="RecomputeJob"/> its Hangfire <see cref="PerformContext"/> (job id,
/// retry count, storage) without a PerformContext parameter, which keeps the job's signature to
/// plain strings that other services can enqueue. A server filter sets it around the job's
/// invocation, which Hangfire runs synchronously on the worker thread, so the value flows into it.
/// </summary>
public sealed class PerformContextAccessor : IServerFilter
{
    private static readonly AsyncLocal<PerformContext?> CurrentContext = new();

    /// <summary>The context of the job running in this flow, or null outside a Hangfire job.</summary>
    public PerformContext? Current => CurrentContext.Value;

    /// <inheritdoc />
    public void OnPerforming(PerformingContext context) => CurrentContext.Value = context;

    /// <inheritdoc />
    public void OnPerformed(PerformedContext context) => CurrentContext.Value = null;
}
