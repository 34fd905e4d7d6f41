using Lambda.BatchLayer.Tests.Status;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// What one test of the batch service gets to itself: a PostgreSQL database (run log, Hangfire), a ClickHouse
/// database and a dataset root directory, all removed afterwards. A test class holds one in a field (xunit makes
/// a class instance per test) and forwards its <see cref="IAsyncLifetime"/> calls to it.
/// </summary>
public sealed class BatchTestServers : IAsyncLifetime
{
    /// <param name="rootPrefix">The prefix of the dataset root's temporary directory name.</param>
    public BatchTestServers(string rootPrefix)
    {
        Root = Directory.CreateTempSubdirectory(rootPrefix).FullName;
    }

    /// <summary>The admin key of the Hangfire dashboard in <see cref="Configuration"/>.</summary>
    public const string DashboardKey = "batch-test-dashboard-key";

    public PostgresTestDatabase Postgres { get; } = new();

    public ClickHouseTestDatabase ClickHouse { get; } = new(prefix: "batch_test");

    /// <summary>The dataset root (master dataset, batch views, manifest).</summary>
    public string Root { get; }

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        await ClickHouse.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ClickHouse.DisposeAsync();
        await Postgres.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>
    /// The batch service's configuration on these servers, with fast polling and one-second retry delays;
    /// <paramref name="datasetRoot"/> replaces <see cref="Root"/> for a second service on the same databases.
    /// </summary>
    public Dictionary<string, string?> Configuration(string? datasetRoot = null) => new()
    {
        ["ConnectionStrings:Postgres"] = Postgres.ConnectionString,
        ["ClickHouse:Url"] = ClickHouse.Url.ToString(),
        ["ClickHouse:Database"] = ClickHouse.Name,
        ["Batch:DatasetRoot"] = datasetRoot ?? Root,
        // The service's appsettings.json turns the archiver on; these hosts test scheduling, with no broker.
        ["Batch:Archiver:Enabled"] = "false",
        ["Batch:Schedule:RecurringJobEnabled"] = "false",
        // Off so the jobs these tests enqueue are the only ones; NewViewBackfillStarterTests turns it on.
        ["Batch:Schedule:BackfillNewViews"] = "false",
        ["Batch:Schedule:SchedulePollingInterval"] = "00:00:01",
        ["Batch:Schedule:QueuePollInterval"] = "00:00:00.2",
        ["Batch:Schedule:RetryDelays:0"] = "00:00:01",
        ["Batch:Schedule:LockWaitTimeout"] = "00:01:00",
        ["Logging:LogLevel:Default"] = "Warning",
        // The test host runs as Production, which refuses to start without a dashboard key of its own.
        ["Batch:Dashboard:ApiKeys:0"] = DashboardKey,
        ["urls"] = "http://127.0.0.1:0",
    };
}
