namespace Lambda.Shared.Batch;

/// <summary>
/// The batch recompute as a Hangfire job, named by an interface that lives in Lambda.Shared so that the
/// serving layer can enqueue it (Hangfire stores the interface's type name and the arguments) and the
/// batch layer, which implements and registers it for Hangfire's job activator, can run it.
/// Recompute jobs are enqueued on the Hangfire queue <c>batch</c>.
/// </summary>
public interface IRecomputeJob
{
    /// <summary>Runs one recompute.</summary>
    /// <param name="mode"><c>incremental</c>, <c>full</c> or <c>backfill</c>.</param>
    /// <param name="from">First UTC day (<c>yyyy-MM-dd</c>) of a backfill; null otherwise.</param>
    /// <param name="to">Last UTC day (<c>yyyy-MM-dd</c>, inclusive) of a backfill; null otherwise.</param>
    /// <param name="cancellationToken">Hangfire's job cancellation token (enqueue with <see cref="CancellationToken.None"/>).</param>
    Task RunAsync(string mode, string? from, string? to, CancellationToken cancellationToken);
}
