using Hangfire;
using Hangfire.Common;
using Lambda.BatchLayer.Scheduling;
using Lambda.Shared.Batch;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Scheduling;

[Collection(HangfireCollection.Name)]
public sealed class RecomputeJobFilterProviderTests
{
    public RecomputeJobFilterProviderTests()
    {
        // Hangfire's log provider is process-wide; a host disposed by an earlier test may still own it.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(new SilentLogProvider());
    }

    [Fact]
    public void The_recompute_job_gets_the_configured_retry_which_overrides_hangfires_global_default()
    {
        var provider = new RecomputeJobFilterProvider(
            Options.Create(new BatchScheduleOptions { RetryAttempts = 2, RetryDelays = [TimeSpan.FromSeconds(1.5), TimeSpan.FromMinutes(2)] }),
            new PerformContextAccessor());
        var job = Job.FromExpression<RecomputeJob>(j => j.RunAsync("full", null, null, "t", CancellationToken.None));
        var combined = new JobFilterProviderCollection(JobFilterProviders.Providers, provider);

        var retries = combined.GetFilters(job).Select(f => f.Instance).OfType<AutomaticRetryAttribute>().ToList();

        var retry = Assert.Single(retries);
        Assert.Equal(2, retry.Attempts);
        Assert.Equal([2, 120], retry.DelaysInSeconds);
        Assert.Equal([typeof(InvalidRecomputeRequestException)], retry.ExceptOn);
        Assert.Contains(combined.GetFilters(job), f => f.Instance is PerformContextAccessor);
    }

    [Fact]
    public void Other_jobs_keep_hangfires_filters()
    {
        var provider = new RecomputeJobFilterProvider(Options.Create(new BatchScheduleOptions()), new PerformContextAccessor());
        var job = Job.FromExpression(() => Console.WriteLine());
        Assert.Empty(provider.GetFilters(job));
    }
}
