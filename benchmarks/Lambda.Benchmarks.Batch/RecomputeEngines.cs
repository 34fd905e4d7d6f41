using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Recompute;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.Benchmarks.Batch;

/// <summary>The recompute engine the benchmark measures: over the dataset at <c>root</c>, every archived event taken (<see cref="ArchiveEndBoundaries"/>), the lookups joined from the dataset's store (as the service does).</summary>
internal static class RecomputeEngines
{
    public static RecomputeEngine Create(Catalog catalog, string root, Args settings) => new(
        catalog,
        Options.Create(new BatchStorageOptions { DatasetRoot = root }),
        Options.Create(settings.RecomputeOptions),
        new ArchiveEndBoundaries(),
        new ManifestStore(root),
        new BatchViewWriter(),
        settings.Verbose
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)).CreateLogger<RecomputeEngine>()
            : NullLogger<RecomputeEngine>.Instance,
        TimeProvider.System,
        lookups: new FileLookupStore(root, TimeProvider.System));
}
