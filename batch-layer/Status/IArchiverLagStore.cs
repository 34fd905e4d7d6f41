using Lambda.Shared.Batch;

namespace Lambda.BatchLayer.Status;

/// <summary>Where the archiver's lag is reported for the serving layer (<see cref="ArchiverLagSchema"/>).</summary>
public interface IArchiverLagStore
{
    /// <summary>Records <paramref name="reports"/>, stamped with the store's clock, replacing earlier ones of the same partitions.</summary>
    Task ReportAsync(IReadOnlyList<ArchiverLagReport> reports, CancellationToken cancellationToken);
}
