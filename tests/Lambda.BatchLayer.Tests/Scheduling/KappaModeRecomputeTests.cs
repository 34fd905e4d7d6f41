using Lambda.BatchLayer.Scheduling;
using Lambda.Shared.Batch;
using Lambda.Shared.Deployment;

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
        var runner = RecomputeRunners.Create(
            engine: null, _root, store, recomputeLock, new RecordingLoader(), mode: new LambdaModeOptions { Mode = LambdaModeOptions.KappaName });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(
            new RecomputeRun { Request = new RecomputeRequest(), RequestedBy = "test", JobId = "k1", Attempt = 1 }, null, CancellationToken.None));

        Assert.Equal(LambdaModeOptions.RecomputesOffInKappa, error.Message);
        Assert.Contains("Lambda:Mode", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListByJobAsync("k1", CancellationToken.None));
        Assert.Equal(0, recomputeLock.Acquired);
    }
}
