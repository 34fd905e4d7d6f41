using Lambda.BatchLayer.AdHoc;

namespace Lambda.BatchLayer.Tests.AdHoc;

/// <summary>An <see cref="IPublishedBatchViewFiles"/> with a fixed answer.</summary>
public sealed class FixedBatchViewFiles(IReadOnlyDictionary<string, IReadOnlyList<string>> files) : IPublishedBatchViewFiles
{
    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetAsync(string datasetRoot, CancellationToken cancellationToken) =>
        Task.FromResult(files);
}
