using Hangfire;
using Hangfire.Storage.Monitoring;
using Lambda.BatchLayer.Commands;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// The real batch-layer service (<see cref="BatchHosts.CreateServer"/>: Hangfire on PostgreSQL,
/// dashboard, ClickHouse loading) on a free loopback port, with a test engine; its configuration
/// usually comes from <see cref="BatchTestServers.Configuration"/>.
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
