using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Lambda.BatchLayer.Commands;
using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Tests.AdHoc;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.BatchLayer.Tests.Scheduling;
using Lambda.Shared.Batch;
using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.Commands;

/// <summary>The command line end to end against the real PostgreSQL and ClickHouse.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Collection(HangfireCollection.Name)]
public sealed class BatchCommandLineTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private readonly BatchTestServers _servers = new("batch-cli-");

    public Task InitializeAsync() => _servers.InitializeAsync();

    public Task DisposeAsync() => _servers.DisposeAsync();

    [Fact]
    public async Task A_second_recompute_without_new_data_recomputes_nothing_and_loads_nothing()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = TestViews.PaidOrders(Day, 250);
        var expectedRows = TestViews.Aggregate(view, events).Count;
        var engine = new ScriptedRecomputeEngine()
            .Then(PublishingSteps.Publish(_servers.Root, view, new Dictionary<DateOnly, List<string>> { [Day] = events }))
            .ThenReturn(ScriptedRecomputeEngine.NothingToDo("engine-2"));
        var table = BatchTable.TableName(view);

        var first = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["recompute"], Environment(first, engine)));
        Assert.Contains("│ state                       │ succeeded", first.Output, StringComparison.Ordinal);
        Assert.Equal((ulong)expectedRows, await _servers.ClickHouse.CountAsync($"SELECT count() FROM {table}"));
        var parts = await _servers.ClickHouse.Client.QueryRowsAsync($"SELECT name, modification_time FROM system.parts WHERE database = '{_servers.ClickHouse.Name}' AND table = '{table}' AND active");

        var second = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["recompute"], Environment(second, engine)));

        Assert.Contains("│ state                       │ nothing_to_do", second.Output, StringComparison.Ordinal);
        Assert.Equal(2, engine.Calls);
        var runs = await Store().ListRecentAsync(10, CancellationToken.None);
        Assert.Equal(
            [(BatchRunState.NothingToDo, 0, 0, "engine-2"), (BatchRunState.Succeeded, 1, 1, runs[1].EngineRunId)],
            runs.Select(r => (r.State, r.DaysRecomputed, r.DaysLoaded, r.EngineRunId)));
        Assert.All(runs, r => Assert.Equal(("cli", (string?)null), (r.RequestedBy, r.JobId)));
        Assert.Equal((ulong)expectedRows, await _servers.ClickHouse.CountAsync($"SELECT count() FROM {table}"));
        var partsAfter = await _servers.ClickHouse.Client.QueryRowsAsync($"SELECT name, modification_time FROM system.parts WHERE database = '{_servers.ClickHouse.Name}' AND table = '{table}' AND active");
        Assert.Equal(parts.Select(p => (p.GetString(0), p.GetDateTime(1))), partsAfter.Select(p => (p.GetString(0), p.GetDateTime(1))));
    }

    [Fact]
    public async Task Two_dataset_roots_sharing_postgresql_and_clickhouse_each_load_what_their_manifest_names()
    {
        var view = TestCatalogs.RevenueByCountry;
        var table = BatchTable.TableName(view);
        var otherRoot = Directory.CreateTempSubdirectory("batch-cli-other-").FullName;
        try
        {
            var ours = TestViews.PaidOrders(Day, 250);
            var theirs = TestViews.PaidOrders(Day, 30, seed: 3);
            var ourRows = (ulong)TestViews.Aggregate(view, ours).Count;
            var theirRows = (ulong)TestViews.Aggregate(view, theirs).Count;
            Assert.NotEqual(ourRows, theirRows);
            var engine = new ScriptedRecomputeEngine()
                .Then(PublishingSteps.Publish(_servers.Root, view, new Dictionary<DateOnly, List<string>> { [Day] = ours }))
                .ThenReturn(ScriptedRecomputeEngine.NothingToDo("engine-2"));
            var otherEngine = new ScriptedRecomputeEngine()
                .Then(PublishingSteps.Publish(otherRoot, view, new Dictionary<DateOnly, List<string>> { [Day] = theirs }));

            Assert.Equal(0, await BatchCommandLine.InvokeAsync(["recompute"], Environment(new TestConsole(), engine)));
            Assert.Equal(ourRows, await _servers.ClickHouse.CountAsync($"SELECT count() FROM {table}"));
            Assert.Equal(0, await BatchCommandLine.InvokeAsync(["recompute"], Environment(new TestConsole(), otherEngine, otherRoot)));
            Assert.Equal(theirRows, await _servers.ClickHouse.CountAsync($"SELECT count() FROM {table}"));

            // The other root overwrote the shared day; ClickHouse's record shows its file, so ours is loaded again.
            Assert.Equal(0, await BatchCommandLine.InvokeAsync(["recompute"], Environment(new TestConsole(), engine)));
            Assert.Equal(ourRows, await _servers.ClickHouse.CountAsync($"SELECT count() FROM {table}"));
            Assert.Equal(0, await BatchCommandLine.InvokeAsync(["recompute"], Environment(new TestConsole(), engine)));

            var runs = await Store().ListRecentAsync(10, CancellationToken.None);
            Assert.Equal(
                [(BatchRunState.NothingToDo, 0), (BatchRunState.NothingToDo, 1), (BatchRunState.Succeeded, 1), (BatchRunState.Succeeded, 1)],
                runs.Select(r => (r.State, r.DaysLoaded)));
            var held = await new ClickHouseBatchViewLoader(
                    _servers.ClickHouse.Client, new Shared.BatchViews.BatchViewReader(_servers.Root), TimeProvider.System, NullLogger<ClickHouseBatchViewLoader>.Instance)
                .GetLoadedDaysAsync(view, CancellationToken.None);
            Assert.Equal(runs[3].EngineRunId, held[Day].RunId);
        }
        finally
        {
            Directory.Delete(otherRoot, recursive: true);
        }
    }

    [Fact]
    public async Task A_failed_recompute_exits_with_1_and_is_recorded()
    {
        var engine = new ScriptedRecomputeEngine().ThenFail("no space left on device");
        var console = new TestConsole();
        Assert.Equal(1, await BatchCommandLine.InvokeAsync(["recompute", "--full"], Environment(console, engine)));
        Assert.Contains("Recompute failed: no space left on device", console.Output, StringComparison.Ordinal);
        var run = Assert.Single(await Store().ListRecentAsync(10, CancellationToken.None));
        Assert.Equal((BatchRunState.Failed, RecomputeMode.Full), (run.State, run.Mode));
    }

    [Fact]
    public async Task Enqueue_puts_a_backfill_on_the_batch_queue_and_prints_the_job_id()
    {
        var engine = new ScriptedRecomputeEngine().ThenReturn(ScriptedRecomputeEngine.NothingToDo());
        var console = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["recompute", "--from", "2026-11-01", "--to", "2026-11-07", "--enqueue"], Environment(console, engine)));

        var jobId = console.Output.Trim().Split('\n')[^1].Trim();
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(_servers.Postgres.ConnectionString, options), options);
        var job = storage.GetMonitoringApi().JobDetails(jobId);
        Assert.NotNull(job);
        Assert.Equal(EnqueuedState.StateName, job.History[0].StateName);
        Assert.Equal(typeof(RecomputeJob), job.Job.Type);
        Assert.Equal(RecomputeJob.Queue, job.Job.Queue);
        Assert.Equal(["backfill", "2026-11-01", "2026-11-07", "cli", null], job.Job.Args.Take(4).Append(job.Job.Args[4] is CancellationToken ? null : "?"));
        Assert.Equal(0, engine.Calls);
    }

    [Fact]
    public async Task Sql_prints_a_table_and_writes_csv()
    {
        var orders = MasterDatasetTestFiles.Orders(120);
        await MasterDatasetTestFiles.WriteOrdersAsync(_servers.Root, orders);
        var engine = new ScriptedRecomputeEngine().ThenReturn(ScriptedRecomputeEngine.NothingToDo());

        var table = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(
            ["sql", "SELECT country, count(*) AS n FROM master_orders GROUP BY country ORDER BY country", "--dataset-root", _servers.Root], Environment(table, engine)));
        foreach (var group in orders.GroupBy(o => o.Country))
        {
            Assert.Contains($"│ {group.Key,-7} │ {group.Count(),-2} │", table.Output, StringComparison.Ordinal);
        }

        Assert.Contains("3 rows", table.Output, StringComparison.Ordinal);

        var csv = Path.Combine(_servers.Root, "paid.csv");
        var written = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(
            ["sql", "SELECT order_id, amount FROM master_orders WHERE status = 'paid' ORDER BY kafka_partition, kafka_offset", "-o", csv, "--dataset-root", _servers.Root],
            Environment(written, engine)));
        var paid = orders.Where(o => o.Status == "paid").OrderBy(o => o.Partition).ThenBy(o => o.Offset).ToList();
        Assert.Contains($"Wrote {paid.Count} rows to {csv} (csv).", written.Output, StringComparison.Ordinal);
        Assert.Equal(
            new[] { "order_id,amount" }.Concat(paid.Select(o => $"{o.OrderId},{o.Amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}")),
            await File.ReadAllLinesAsync(csv));
    }

    [Fact]
    public async Task A_sql_error_exits_with_1_and_lists_the_views()
    {
        await MasterDatasetTestFiles.WriteOrdersAsync(_servers.Root, MasterDatasetTestFiles.Orders(10));
        var console = new TestConsole();
        Assert.Equal(1, await BatchCommandLine.InvokeAsync(
            ["sql", "SELECT * FROM orders", "--dataset-root", _servers.Root], Environment(console, new ScriptedRecomputeEngine())));
        Assert.Contains("SQL error:", console.Output, StringComparison.Ordinal);
        Assert.Contains("Available views: master_orders", console.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("COPY (SELECT * FROM master_orders) TO '/tmp/sql-command-stolen.csv'", "Refused:")]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "Permission Error")]
    public async Task The_sql_command_is_read_only(string sql, string refusal)
    {
        await MasterDatasetTestFiles.WriteOrdersAsync(_servers.Root, MasterDatasetTestFiles.Orders(10));
        var console = new TestConsole();
        Assert.Equal(1, await BatchCommandLine.InvokeAsync(["sql", sql, "--dataset-root", _servers.Root], Environment(console, new ScriptedRecomputeEngine())));
        Assert.Contains(refusal, console.Output, StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/sql-command-stolen.csv"));
    }

    [Fact]
    public async Task Compact_merges_the_committed_files_under_the_recompute_lock_and_prints_the_counts()
    {
        var orders = TestCatalogs.Default.GetSource("orders");
        await Lambda.BatchLayer.Tests.Dataset.OrderDatasets.WriteAsync(
            _servers.Root, orders, Lambda.BatchLayer.Tests.Dataset.OrderDatasets.Messages(orders, 600, 2, seed: 51, total: 6000), perCommit: 30);
        var before = Lambda.Shared.Dataset.MasterDatasetSnapshot.Load(_servers.Root, "orders");

        var console = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["compact", "--dataset-root", _servers.Root, "--min-age", "00:00:00"], Environment(console, new ScriptedRecomputeEngine())));

        var after = Lambda.Shared.Dataset.MasterDatasetSnapshot.Load(_servers.Root, "orders");
        Assert.Equal(before.Rows, after.Rows);
        Assert.Equal(before.CommittedEnds, after.CommittedEnds);
        Assert.Equal(2, new Lambda.Shared.Dataset.CommitLog(_servers.Root, "orders").ReadCommits().Count);
        Assert.Matches($@"│ orders +│ 20 +│ 2 +│ {before.Files.Count} +│ {after.Files.Count} +│", console.Output);
        Assert.Contains("Compacted 1 source(s).", console.Output, StringComparison.Ordinal);

        var parse = BatchCommandLine.Create(new BatchCommandEnvironment()).Parse(["compact", "--min-age", "soon", "--max-events", "1"]);
        Assert.Contains(parse.Errors, e => e.Message.Contains("--min-age 'soon'", StringComparison.Ordinal));
        Assert.Contains(parse.Errors, e => e.Message.Contains("--max-events must be at least 2", StringComparison.Ordinal));
    }

    private PostgresBatchRunStore Store() => new(new BatchDatabase(_servers.Postgres.ConnectionString), NullLogger<PostgresBatchRunStore>.Instance);

    private BatchCommandEnvironment Environment(TestConsole console, IRecomputeEngine engine, string? root = null) => new()
    {
        Console = console.Console,
        Configuration = _servers.Configuration(root),
        ConfigureServices = services => services.AddSingleton(engine),
    };
}
