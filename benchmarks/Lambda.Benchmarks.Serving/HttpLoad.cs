using System.Net;
using System.Net.Http.Headers;
using HdrHistogram;
using Lambda.ServingLayer;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.Querying;
using Lambda.Shared.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Lambda.Benchmarks.Serving;

/// <summary>
/// Load through HTTP: the serving layer on Kestrel (loopback) with the day of data in memory and an acknowledging
/// publisher, driven by concurrent clients in the same process; latencies go into an HdrHistogram.
/// Usage: <c>load [seconds=10] [concurrency=8]</c>.
/// </summary>
internal static class HttpLoad
{
    internal const string Key = "bench-all-scopes-key";

    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var concurrency = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 8;
        var data = new ServingData(CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml")));
        await using var app = await StartAsync(data);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"serving layer on {address}; {seconds} s per scenario, {concurrency} concurrent clients, {Environment.ProcessorCount} cores");

        var ingestBody = ServingData.OrdersNdJson(100);
        var scenarios = new (string Name, Func<HttpClient, Task<HttpResponseMessage>> Send, HttpStatusCode Expected)[]
        {
            ("GET a day per hour by country (1,200 rows)", c => c.GetAsync("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&granularity=hour"), HttpStatusCode.OK),
            ("GET a day, all, no group (1 row)", c => c.GetAsync("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&granularity=all&group_by="), HttpStatusCode.OK),
            ("GET one hour per minute, 2 countries (120 rows)", c => c.GetAsync("/api/views/revenue_by_country?from=2026-11-25T22:00:00Z&to=2026-11-25T23:00:00Z&filter=country:C1,country:C2"), HttpStatusCode.OK),
            ("POST 100 events (NDJSON)", c => c.PostAsync("/api/events/orders", Ndjson(ingestBody)), HttpStatusCode.Accepted),
            ("GET bad parameter (400)", c => c.GetAsync("/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26&granularity=second"), HttpStatusCode.BadRequest),
        };

        foreach (var (name, send, expected) in scenarios)
        {
            await RunScenarioAsync(new Uri(address), name, send, expected, TimeSpan.FromSeconds(seconds), concurrency);
        }

        await app.StopAsync();
    }

    private static async Task RunScenarioAsync(
        Uri address, string name, Func<HttpClient, Task<HttpResponseMessage>> send, HttpStatusCode expected, TimeSpan duration, int concurrency)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = address };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        await ClosedLoopLoad.RunAsync(name, () => send(http), expected, duration, concurrency, warmUpRequests: 20);
    }

    private static HttpContent Ndjson(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        return content;
    }

    /// <summary>The serving layer on a loopback port over <paramref name="data"/>; <paramref name="settings"/> override the benchmark's.</summary>
    internal static async Task<WebApplication> StartAsync(ServingData data, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
            ["Serving:ApiKeys:0:Key"] = Key,
            ["Serving:ApiKeys:0:Scopes:0"] = "ingest",
            ["Serving:ApiKeys:0:Scopes:1"] = "query",
        });
        // This benchmark measures capacity: one key sends everything, so the per-key limits are lifted.
        builder.Configuration.AddInMemoryCollection(FloodLoad.LiftedLimits);
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddServingLayer(builder.Configuration);
        builder.Services.RemoveAll<Lambda.Shared.Catalog.Catalog>().AddSingleton(data.Catalog);
        builder.Services.RemoveAll<IBatchViewStore>().AddSingleton(data.BatchStore());
        builder.Services.RemoveAll<ISpeedViewReader>().AddSingleton(data.SpeedStore());
        builder.Services.RemoveAll<IEventPublisher>().AddSingleton<IEventPublisher, NoOpPublisher>();
        var app = builder.Build();
        app.UseServingLayer();
        await app.StartAsync();
        return app;
    }
}
