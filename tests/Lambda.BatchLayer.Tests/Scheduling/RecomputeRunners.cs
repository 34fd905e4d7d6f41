using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Deployment;
using Lambda.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>Builds a <see cref="RecomputeRunner"/> over test stand-ins (engine, run store, lock, loader) and a dataset root.</summary>
internal static class RecomputeRunners
{
    public static RecomputeRunner Create(
        IRecomputeEngine? engine, string root, IBatchRunStore store, IRecomputeLock recomputeLock, IBatchViewLoader loader, bool loadEnabled = true,
        LambdaModeOptions? mode = null)
    {
        var services = new ServiceCollection();
        if (engine is not null)
        {
            services.AddSingleton(engine);
        }

        return new RecomputeRunner(
            services.BuildServiceProvider(),
            store,
            recomputeLock,
            loader,
            new ManifestStore(root),
            TestCatalogs.Default,
            Options.Create(new BatchLayerOptions { DatasetRoot = root }),
            Options.Create(new BatchScheduleOptions()),
            Options.Create(new BatchLoadOptions { Enabled = loadEnabled }),
            TimeProvider.System,
            NullLogger<RecomputeRunner>.Instance,
            Options.Create(mode ?? new LambdaModeOptions()));
    }
}
