using System.CommandLine;
using Lambda.Benchmarks.Speed;

// Measures the speed layer end to end on the local stack (scripts/lambda up) and prints the figures.
// Run: dotnet run -c Release --project benchmarks/Lambda.Benchmarks.Speed [-- options]
var events = new Option<long>("--events") { Description = "Events of the sustained-throughput phase.", DefaultValueFactory = _ => 2_000_000 };
var throughputPartitions = new Option<int>("--throughput-partitions")
{
    Description = "Partitions of the throughput topic (the dev broker keeps ~4 MiB per partition; the backlog must fit).",
    DefaultValueFactory = _ => 128,
};
var rate = new Option<int>("--rate") { Description = "Steady events/s of the freshness phase.", DefaultValueFactory = _ => 50_000 };
var seconds = new Option<int>("--seconds") { Description = "Duration of the freshness phase in seconds.", DefaultValueFactory = _ => 30 };
var warmup = new Option<int>("--warmup") { Description = "Seconds at the start of the freshness phase left out of its percentiles.", DefaultValueFactory = _ => 5 };
var freshnessPartitions = new Option<int>("--freshness-partitions") { Description = "Partitions of the freshness topic.", DefaultValueFactory = _ => 32 };
var poll = new Option<int>("--poll-ms") { Description = "How often ClickHouse is asked what is visible, in ms.", DefaultValueFactory = _ => 20 };
var backlogPoll = new Option<int>("--backlog-poll-ms")
{
    Description = "With --catalog-vs-plain: how often ClickHouse is asked what is visible of the backlog, in ms (each ask is two reads per view; at 100 ms the reads took more of ClickHouse's CPU than the speed layer's inserts).",
    DefaultValueFactory = _ => 500,
};
var instances = new Option<int>("--instances")
{
    Description = "With --catalog-vs-plain: speed-layer processes in one consumer group for the default catalog (the layer's scale-out unit; 2 use both cores).",
    DefaultValueFactory = _ => 1,
};
var spreadDays = new Option<double>("--spread-days")
{
    Description = "Event times spread uniformly over this many days before now (a backfill or replay; 0: all now).",
    DefaultValueFactory = _ => 0,
};
var catalogVsPlain = new Option<bool>("--catalog-vs-plain")
{
    Description = "Instead: the speed layer with the default catalog (lookups, derived fields, quantiles) vs a plain consume-and-parse of the same backlog, both rates in one run (--events orders and a quarter as many payments, --throughput-partitions each).",
};
var replayEvents = new Option<long>("--replay-events")
{
    Description = "Events archived for the Kappa replay phase (printed beside the live throughput); 0 skips it.",
    DefaultValueFactory = _ => 0,
};
var replayOnly = new Option<bool>("--replay-only") { Description = "Run only the replay phase.", DefaultValueFactory = _ => false };
var withoutPairs = new Option<bool>("--without-pairs")
{
    Description = "With --catalog-vs-plain: skip the two-view runs that follow the default catalog (where the cost is).",
    DefaultValueFactory = _ => false,
};
var set = new Option<string[]>("--set") { Description = "Extra speed-layer setting as KEY=VALUE (environment form), e.g. SpeedLayer__FlushInterval=00:00:00.250.", DefaultValueFactory = _ => [] };

var root = new RootCommand("Speed-layer benchmark: sustained events/s and freshness p50/p99, produce → ClickHouse.")
{
    events, throughputPartitions, rate, seconds, warmup, freshnessPartitions, poll, backlogPoll, instances, spreadDays, catalogVsPlain, withoutPairs, replayEvents, replayOnly, set,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var extra = new Dictionary<string, string>(StringComparer.Ordinal);
    foreach (var entry in parse.GetValue(set) ?? [])
    {
        var eq = entry.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            await Console.Error.WriteLineAsync($"--set '{entry}' is not KEY=VALUE");
            return 2;
        }

        extra[entry[..eq]] = entry[(eq + 1)..];
    }

    if (parse.GetValue(spreadDays) is var days && (days < 0 || !double.IsFinite(days)))
    {
        await Console.Error.WriteLineAsync($"--spread-days must be a finite number >= 0, got {days}");
        return 2;
    }

    var settings = new SpeedBenchmarkSettings
    {
        ThroughputEvents = parse.GetValue(events),
        ThroughputPartitions = parse.GetValue(throughputPartitions),
        FreshnessRate = parse.GetValue(rate),
        FreshnessDuration = TimeSpan.FromSeconds(parse.GetValue(seconds)),
        FreshnessWarmup = TimeSpan.FromSeconds(parse.GetValue(warmup)),
        FreshnessPartitions = parse.GetValue(freshnessPartitions),
        PollInterval = TimeSpan.FromMilliseconds(parse.GetValue(poll)),
        BacklogPollInterval = TimeSpan.FromMilliseconds(parse.GetValue(backlogPoll)),
        Instances = Math.Max(1, parse.GetValue(instances)),
        SpreadDays = parse.GetValue(spreadDays),
        SpeedLayerEnvironment = extra,
        ReplayEvents = parse.GetValue(replayEvents),
        ReplayOnly = parse.GetValue(replayOnly),
        WithoutPairs = parse.GetValue(withoutPairs),
    };
    try
    {
        if (parse.GetValue(catalogVsPlain))
        {
            return await new CatalogVsPlainBenchmark(settings, Console.Out).RunAsync(cancellationToken);
        }

        var code = settings.ReplayOnly ? 0 : await new SpeedBenchmark(settings, Console.Out).RunAsync(cancellationToken);
        if (code == 0 && settings.ReplayEvents > 0)
        {
            await new ReplayBenchmark(settings, Console.Out).RunAsync(cancellationToken);
        }

        return code;
    }
    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
    {
        // System.CommandLine turns an exception into exit code 1 without a word; say what failed.
        await Console.Error.WriteLineAsync($"the benchmark failed: {ex}");
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();
