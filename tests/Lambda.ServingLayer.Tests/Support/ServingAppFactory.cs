using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Alerts.Leadership;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.Querying;
using Lambda.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>
/// The serving layer in memory (environment <c>Testing</c>) with in-memory fakes at every seam and one key per scope:
/// <see cref="IngestKey"/>, <see cref="QueryKey"/>, <see cref="AdminKey"/> (admin only) and <see cref="AllKey"/>.
/// </summary>
public sealed class ServingAppFactory : WebApplicationFactory<Program>
{
    public const string IngestKey = "test-ingest-key";
    public const string QueryKey = "test-query-key";
    public const string AdminKey = "test-admin-key";
    public const string AllKey = "test-all-scopes-key";
    public const int MaxIngestRecords = 50;
    public const int MaxIngestBytes = 64 * 1024;
    public const int RetryAfterSeconds = 17;

    internal FakeEventPublisher Publisher { get; } = new();

    internal FakeBatchViewStore Batch { get; } = new();

    internal FakeSpeedViewReader Speed { get; } = new();

    internal FakeBatchJobScheduler Scheduler { get; } = new();

    internal FakeBatchStatusStore Status { get; } = new();

    /// <summary>The ad hoc jobs (in memory).</summary>
    internal InMemoryAdHocJobRequests AdHocJobs { get; } = new();

    /// <summary>The dataset root ad hoc results are served from.</summary>
    public string DatasetRoot { get; } = Directory.CreateTempSubdirectory("serving-adhoc-").FullName;

    internal FakeArchiverLagSource ArchiverLag { get; } = new();

    internal FakeDriftReportStore Drift { get; } = new();

    /// <summary>The alert rules, states and history (in memory).</summary>
    internal InMemoryAlertRuleStore Alerts { get; } = new();

    /// <summary>Whether this instance leads alert evaluation (it does, unless a test says otherwise).</summary>
    internal Lambda.ServingLayer.Tests.Alerts.FixedAlertLeadership AlertLeadership { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Never dialled: the publisher and health checks that would use it are not exercised here.
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
            ["Serving:MaxIngestRecords"] = MaxIngestRecords.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Serving:MaxIngestBytes"] = MaxIngestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Serving:ApiKeys:0:Key"] = IngestKey,
            ["Serving:ApiKeys:0:Scopes:0"] = "ingest",
            ["Serving:ApiKeys:1:Key"] = QueryKey,
            ["Serving:ApiKeys:1:Scopes:0"] = "query",
            ["Serving:ApiKeys:2:Key"] = AdminKey,
            ["Serving:ApiKeys:2:Scopes:0"] = "admin",
            ["Serving:ApiKeys:3:Key"] = AllKey,
            ["Serving:ApiKeys:3:Scopes:0"] = "ingest",
            ["Serving:ApiKeys:3:Scopes:1"] = "query",
            ["Serving:ApiKeys:3:Scopes:2"] = "admin",
            ["Serving:IngestBackpressure:RetryAfterSeconds"] = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),

            // Tests fill the pipeline health history themselves (PipelineHealthEndpointTests); the sampler is unit-tested.
            ["Serving:PipelineHealth:Enabled"] = "false",
            ["Batch:DatasetRoot"] = DatasetRoot,
        }));
        builder.ConfigureTestServices(services =>
        {
            // The tests build events against this catalog instance; records belong to their catalog's sources.
            services.RemoveAll<LambdaCatalog>().AddSingleton(TestCatalogs.Default);
            services.RemoveAll<IEventPublisher>().AddSingleton<IEventPublisher>(Publisher);
            services.RemoveAll<IBatchViewStore>().AddSingleton<IBatchViewStore>(Batch);
            services.RemoveAll<ISpeedViewReader>().AddSingleton<ISpeedViewReader>(Speed);
            services.RemoveAll<ISpeedCoverageReader>().AddSingleton<ISpeedCoverageReader>(Speed);
            services.RemoveAll<IBatchJobScheduler>().AddSingleton<IBatchJobScheduler>(Scheduler);
            services.RemoveAll<IBatchStatusStore>().AddSingleton<IBatchStatusStore>(Status);
            services.RemoveAll<Lambda.Shared.AdHoc.IAdHocJobRequests>().AddSingleton<Lambda.Shared.AdHoc.IAdHocJobRequests>(AdHocJobs);
            services.RemoveAll<IArchiverLagSource>().AddSingleton<IArchiverLagSource>(ArchiverLag);
            services.RemoveAll<IAlertRuleStore>().AddSingleton<IAlertRuleStore>(Alerts);
            services.RemoveAll<IAlertLeadership>().AddSingleton<IAlertLeadership>(AlertLeadership);
            services.RemoveAll<Lambda.ServingLayer.Drift.IDriftReportStore>().AddSingleton<Lambda.ServingLayer.Drift.IDriftReportStore>(Drift);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(DatasetRoot))
        {
            Directory.Delete(DatasetRoot, recursive: true);
        }
    }

    /// <summary>A client that sends <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }
}
