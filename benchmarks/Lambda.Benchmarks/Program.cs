using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Lambda.Benchmarks;

// Usage:
//   dotnet run -c Release --project benchmarks/Lambda.Benchmarks -- --filter '*'   (BenchmarkDotNet)
//   dotnet run -c Release --project benchmarks/Lambda.Benchmarks -- --quick        (a Stopwatch run, seconds)
if (args.Contains("--quick"))
{
    RunQuick();
    return;
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(RevenueByCountryBenchmark).Assembly).Run(args);
foreach (var summary in summaries)
{
    PrintEventsPerSecond(summary);
}

static void PrintEventsPerSecond(Summary summary)
{
    foreach (var report in summary.Reports)
    {
        if (report.ResultStatistics is { } stats)
        {
            // Each benchmark operation is one event, so the mean is nanoseconds per event.
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{report.BenchmarkCase.Descriptor.WorkloadMethod.Name}: {1e9 / stats.Mean:N0} events/s per core ({stats.Mean:F1} ns/event, ±{stats.StandardError:F1} ns)"));
        }
    }
}

static void RunQuick()
{
    var benchmark = new RevenueByCountryBenchmark();
    benchmark.Setup();
    RunQuickOne("ParseFilterAggregate", benchmark.ParseFilterAggregate);
    RunQuickOne("ParseAggregateQuantiles", benchmark.ParseAggregateQuantiles);
    RunQuickOne("ParseDeriveAggregate", benchmark.ParseDeriveAggregate);
    RunQuickOne("ParseLookupDeriveQuantiles", benchmark.ParseLookupDeriveQuantiles);
    RunQuickOne("ParseAggregateDistinctDrained", benchmark.ParseAggregateDistinctDrained);
}

static void RunQuickOne(string name, Func<long> run)
{
    for (var i = 0; i < 3; i++)
    {
        run();
    }

    const int Rounds = 10;
    var stopwatch = Stopwatch.StartNew();
    long matched = 0;
    for (var i = 0; i < Rounds; i++)
    {
        matched += run();
    }

    stopwatch.Stop();
    var events = (double)RevenueByCountryBenchmark.MessageCount * Rounds;
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{name} (quick): {events / stopwatch.Elapsed.TotalSeconds:N0} events/s per core over {events:N0} events ({matched:N0} matched the filter)"));
}
