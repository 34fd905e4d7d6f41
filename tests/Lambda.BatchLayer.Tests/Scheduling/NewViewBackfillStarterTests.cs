using Hangfire;
using Hangfire.States;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.Shared.Batch;
using Lambda.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// The backfill of views without a published batch view of their current definition, enqueued when the service starts,
/// through real Hangfire on a real PostgreSQL.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Collection(HangfireCollection.Name)]
public sealed class NewViewBackfillStarterTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly BatchTestServers _servers = new("batch-backfill-");

    public Task InitializeAsync() => _servers.InitializeAsync();

    public Task DisposeAsync() => _servers.DisposeAsync();

    [Fact]
    public async Task Instances_starting_at_once_and_restarting_enqueue_one_job_for_exactly_the_views_without_a_batch_view_of_their_definition()
    {
        var catalog = TestCatalogs.Default;
        var published = catalog.Views[0];
        await TestManifests.PublishAsync(_servers.Root, published, "run-0", [], CancellationToken.None);
        var expected = string.Join(',', catalog.Views.Skip(1).Select(v => v.Name));
        var noServer = new Dictionary<string, string?> { ["Batch:Schedule:BackfillNewViews"] = "true", ["Batch:Schedule:ServerEnabled"] = "false" };

        var starts = await Task.WhenAll(
            BatchTestHost.StartAsync(_servers.Configuration(), new ScriptedRecomputeEngine(), new(noServer)),
            BatchTestHost.StartAsync(_servers.Configuration(), new ScriptedRecomputeEngine(), new(noServer)));
        await using (starts[0])
        await using (starts[1])
        {
            await using var restarted = await BatchTestHost.StartAsync(_servers.Configuration(), new ScriptedRecomputeEngine(), new(noServer));

            var jobs = restarted.Storage.GetMonitoringApi().EnqueuedJobs(RecomputeJob.Queue, 0, 100)
                .Where(j => j.Value.Job?.Type == typeof(BackfillJob))
                .ToArray();
            var job = Assert.Single(jobs).Value.Job!;
            Assert.Equal(expected, job.Args[0]);
        }
    }

    [Fact]
    public async Task The_job_recomputes_exactly_the_missing_views_at_once_and_a_second_one_finds_nothing_left()
    {
        var catalog = TestCatalogs.Default;
        var missing = catalog.Views.Skip(1).Select(v => v.Name).ToArray();
        await TestManifests.PublishAsync(_servers.Root, catalog.Views[0], "run-0", [], CancellationToken.None);
        var engine = new ScriptedRecomputeEngine().Then(async (request, _, cancellationToken) =>
        {
            // Publishes what a real engine would: the views it was asked for, at their current definitions.
            foreach (var name in request.Views ?? [])
            {
                await TestManifests.PublishAsync(_servers.Root, catalog.GetView(name), "run-1", [], cancellationToken);
            }

            return ScriptedRecomputeEngine.NothingToDo("run-1");
        });

        await using var host = await BatchTestHost.StartAsync(_servers.Configuration(), engine, new() { ["Batch:Schedule:BackfillNewViews"] = "true" });
        var run = await HangfireSchedulingTests.WaitForRunAsync(host.Store, r => r.RequestedBy == BackfillJob.Requester && r.State.IsFinal());
        Assert.Equal(RecomputeMode.Incremental, run.Mode);
        await host.WaitForStateAsync(run.JobId!, SucceededState.StateName, Timeout);
        var request = Assert.Single(engine.Requests);
        Assert.Equal(missing, request.Views);

        // Every view is published now: a second job for the same views (a duplicate) does not recompute.
        var duplicate = host.App.Services.GetRequiredService<IBackgroundJobClient>()
            .Enqueue<BackfillJob>(RecomputeJob.Queue, job => job.RunAsync(string.Join(',', missing), CancellationToken.None));
        await host.WaitForStateAsync(duplicate, SucceededState.StateName, Timeout);
        Assert.Single(engine.Requests);
    }
}
