using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Scheduling;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Deployment;
using Lambda.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>In Kappa mode (<c>Lambda:Mode = kappa</c>) the runner every recompute goes through refuses to start one.</summary>
public sealed class KappaModeRecomputeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambda-kappa-runner-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_recompute_in_kappa_mode_is_refused_with_the_setting_named_before_anything_runs()
    {
        var store = new InMemoryBatchRunStore();
        var recomputeLock = new CountingLock();
        var runner = new RecomputeRunner(
            new ServiceCollection().BuildServiceProvider(),
            store,
            recomputeLock,
            new RecordingLoader(),
            new ManifestStore(_root),
            TestCatalogs.Default,
            Options.Create(new BatchLayerOptions { DatasetRoot = _root }),
            Options.Create(new BatchScheduleOptions()),
            Options.Create(new BatchLoadOptions()),
            TimeProvider.System,
            NullLogger<RecomputeRunner>.Instance,
            mode: Options.Create(new LambdaModeOptions { Mode = LambdaModeOptions.KappaName }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(
            new RecomputeRun { Request = new RecomputeRequest(), RequestedBy = "test", JobId = "k1", Attempt = 1 }, null, CancellationToken.None));

        Assert.Equal(LambdaModeOptions.RecomputesOffInKappa, error.Message);
        Assert.Contains("Lambda:Mode", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListByJobAsync("k1", CancellationToken.None));
        Assert.Equal(0, recomputeLock.Acquired);
    }
}
