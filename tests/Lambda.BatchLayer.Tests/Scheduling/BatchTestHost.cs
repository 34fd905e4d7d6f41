using Lambda.Testing;
using Hangfire;
using Hangfire.Storage.Monitoring;
using Lambda.BatchLayer.Commands;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.BatchLayer.Tests.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// The real batch-layer service (<see cref="BatchHosts.CreateServer"/>: Hangfire on PostgreSQL,
/// dashboard, ClickHouse loading) on a free loopback port, with a test engine, fast polling and
/// one-second retry delays.
/// </summary>
public sealed class BatchTestHost : IAsyncDisposable
{
    private BatchTestHost(WebApplication app)
    {
        App = app;
        Storage = app.Services.GetRequiredService<JobStorage>();
        Store = app.Services.GetRequiredService<IBatchRunStore>();
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }

    public JobStorage Storage { get; }

    public IBatchRunStore Store { get; }

    public Uri BaseAddress { get; }

    public static Dictionary<string, string?> Configuration(PostgresTestDatabase postgres, ClickHouseTestDatabase clickHouse, string datasetRoot) => new()
    {
        ["ConnectionStrings:Postgres"] = postgres.ConnectionString,
        ["ClickHouse:Url"] = clickHouse.Url.ToString(),
        ["ClickHouse:Database"] = clickHouse.Name,
        ["Batch:DatasetRoot"] = datasetRoot,
        // These hosts test scheduling; the archiver (on in the service's appsettings) has tests of its own.
        ["Batch:Archiver:Enabled"] = "false",
        ["Batch:Schedule:RecurringJobEnabled"] = "false",

        // The service's appsettings.json turns the archiver on; these hosts test scheduling, with no broker.
        ["Batch:Archiver:Enabled"] = "false",
        ["Batch:Schedule:SchedulePollingInterval"] = "00:00:01",
        ["Batch:Schedule:QueuePollInterval"] = "00:00:00.2",
        ["Batch:Schedule:RetryDelays:0"] = "00:00:01",
        ["Batch:Schedule:LockWaitTimeout"] = "00:01:00",
        ["Logging:LogLevel:Default"] = "Warning",
        ["urls"] = "http://127.0.0.1:0",
    };

    public static async Task<BatchTestHost> StartAsync(
        Dictionary<string, string?> configuration, IRecomputeEngine engine, Dictionary<string, string?>? overrides = null)
    {
        foreach (var (key, value) in overrides ?? [])
        {
            configuration[key] = value;
        }

        var app = BatchHosts.CreateServer([], new BatchCommandEnvironment
        {
            Configuration = configuration,
            ConfigureServices = services => services.AddSingleton(engine),
        });
        await app.StartAsync();
        return new BatchTestHost(app);
    }

    public JobDetailsDto Job(string jobId) =>
        Storage.GetMonitoringApi().JobDetails(jobId) ?? throw new InvalidOperationException($"job {jobId} does not exist");

    public string? State(string jobId) => Job(jobId).History.FirstOrDefault()?.StateName;

    public async Task<JobDetailsDto> WaitForStateAsync(string jobId, string state, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (State(jobId) != state)
        {
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                var history = string.Join(" <- ", Job(jobId).History.Select(h => $"{h.StateName} ({h.Reason})"));
                throw new TimeoutException($"job {jobId} did not reach {state} within {timeout}; history: {history}");
            }
        }

        return Job(jobId);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
