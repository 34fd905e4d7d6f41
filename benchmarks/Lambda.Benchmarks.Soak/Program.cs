using System.CommandLine;
using Lambda.Benchmarks.Soak;

// Soaks the platform that `scripts/lambda run` started: HTTP ingest at a rate with scattered event times, a recompute
// every N minutes, per-minute samples, and an exactly-once check against the soak's own oracle. Prints a table and a verdict.
// Run: dotnet run -c Release --project benchmarks/Lambda.Benchmarks.Soak -- --duration 30m --rate 5000 --spread 30d --recompute-every 10m
var duration = new Option<string>("--duration") { Description = "How long to send (e.g. 30m, 3m, 90s).", DefaultValueFactory = _ => "30m" };
var rate = new Option<int>("--rate") { Description = "Events per second.", DefaultValueFactory = _ => 5000 };
var spread = new Option<string>("--spread") { Description = "Event times uniform over [now - spread, now] (e.g. 30d, 3d, 12h); 0 = now.", DefaultValueFactory = _ => "30d" };
var batchSize = new Option<int>("--batch-size") { Description = "Events per ingest request.", DefaultValueFactory = _ => 100 };
var inFlight = new Option<int>("--max-in-flight") { Description = "Most ingest requests in flight.", DefaultValueFactory = _ => 32 };
var recomputeEvery = new Option<string>("--recompute-every") { Description = "Trigger a recompute through the admin API this often (0 = never during the run).", DefaultValueFactory = _ => "10m" };
var sampleEvery = new Option<string>("--sample-every") { Description = "Time between two samples (table rows).", DefaultValueFactory = _ => "1m" };
var settle = new Option<string>("--settle-timeout") { Description = "How long the end waits for the API to count every event, and for the final recompute.", DefaultValueFactory = _ => "10m" };
var maxRss = new Option<long>("--max-rss-mib") { Description = "FAIL when a service's RSS exceeds this (MiB).", DefaultValueFactory = _ => 2048 };
var maxLag = new Option<long>("--max-lag") { Description = "FAIL when the speed or archiver lag (messages, summed over the orders partitions) exceeds this.", DefaultValueFactory = _ => 200_000 };
var serving = new Option<Uri>("--serving-url") { Description = "The serving layer (default: 127.0.0.1, LAMBDA_SERVING_PORT or 8080).", DefaultValueFactory = _ => SoakEndpoints.DefaultServing };
var speedMetrics = new Option<Uri>("--speed-metrics-url") { Description = "The speed layer's /metrics (default: LAMBDA_SPEED_PORT or 8081).", DefaultValueFactory = _ => SoakEndpoints.DefaultSpeedMetrics };
var batchMetrics = new Option<Uri>("--batch-metrics-url") { Description = "The batch layer's /metrics (default: LAMBDA_BATCH_PORT or 8082).", DefaultValueFactory = _ => SoakEndpoints.DefaultBatchMetrics };
var ingestKey = new Option<string>("--ingest-key") { Description = "API key of scope ingest.", DefaultValueFactory = _ => "dev-ingest-key" };
var queryKey = new Option<string>("--query-key") { Description = "API key of scope query.", DefaultValueFactory = _ => "dev-query-key" };
var adminKey = new Option<string>("--admin-key") { Description = "API key of scope admin.", DefaultValueFactory = _ => "dev-admin-key" };
var metricsKey = new Option<string?>("--metrics-key") { Description = "Key for /metrics when Telemetry:MetricsApiKey is set." };
var stateDir = new Option<string>("--state-dir") { Description = "The stack's state directory (pid files), default .state of this checkout or LAMBDA_STATE_DIR.", DefaultValueFactory = _ => SoakEndpoints.DefaultStateDirectory };

var root = new RootCommand("Soak of the running platform: ingest, recomputes, per-minute RSS/lag/files/latency, exactly-once check, verdict.")
{
    duration, rate, spread, batchSize, inFlight, recomputeEvery, sampleEvery, settle, maxRss, maxLag,
    serving, speedMetrics, batchMetrics, ingestKey, queryKey, adminKey, metricsKey, stateDir,
};
root.SetAction(async (parse, cancellationToken) =>
{
    SoakSettings settings;
    try
    {
        settings = new SoakSettings
        {
            Duration = DurationText.Parse(parse.GetValue(duration)!),
            Rate = parse.GetValue(rate) is var r and > 0 ? r : throw new FormatException("--rate must be positive"),
            Spread = DurationText.Parse(parse.GetValue(spread)!),
            BatchSize = parse.GetValue(batchSize) is var b and > 0 ? b : throw new FormatException("--batch-size must be positive"),
            MaxInFlight = parse.GetValue(inFlight) is var f and > 0 ? f : throw new FormatException("--max-in-flight must be positive"),
            RecomputeEvery = DurationText.Parse(parse.GetValue(recomputeEvery)!),
            SampleEvery = DurationText.Parse(parse.GetValue(sampleEvery)!) is var s && s > TimeSpan.Zero ? s : throw new FormatException("--sample-every must be positive"),
            SettleTimeout = DurationText.Parse(parse.GetValue(settle)!),
            MaxRssMiB = parse.GetValue(maxRss),
            MaxLag = parse.GetValue(maxLag),
            Endpoints = new SoakEndpoints(
                parse.GetValue(serving)!, parse.GetValue(speedMetrics)!, parse.GetValue(batchMetrics)!,
                parse.GetValue(ingestKey)!, parse.GetValue(queryKey)!, parse.GetValue(adminKey)!, parse.GetValue(metricsKey), parse.GetValue(stateDir)!),
        };
    }
    catch (FormatException ex)
    {
        await Console.Error.WriteLineAsync(ex.Message);
        return 2;
    }

    return await new SoakRun(settings, Console.Out).RunAsync(cancellationToken);
});
return await root.Parse(args).InvokeAsync();
