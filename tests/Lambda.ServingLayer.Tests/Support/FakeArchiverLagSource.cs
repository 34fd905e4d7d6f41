using Lambda.ServingLayer.Ingest;
using Lambda.Shared.Batch;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Archiver lag reports in memory; <see cref="Failure"/> makes reading throw.</summary>
internal sealed class FakeArchiverLagSource : IArchiverLagSource
{
    public IReadOnlyList<ArchiverLagReport> Reports { get; set; } = [];

    public Exception? Failure { get; set; }

    public TimeSpan? LastMaxAge { get; private set; }

    public Task<IReadOnlyList<ArchiverLagReport>> ReadAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        LastMaxAge = maxAge;
        return Failure is { } failure ? Task.FromException<IReadOnlyList<ArchiverLagReport>>(failure) : Task.FromResult(Reports);
    }
}
