using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Lookups;

namespace Lambda.Benchmarks;

/// <summary>
/// Events per second through parse + filter + aggregate of the <c>revenue_by_country</c> view, on one
/// thread. Each operation is one event (<see cref="BenchmarkAttribute.OperationsPerInvoke"/>), so the
/// reported mean is the cost per event.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class RevenueByCountryBenchmark
{
    /// <summary>Messages per invocation.</summary>
    public const int MessageCount = 200_000;

    /// <summary>
    /// Events between two drains in <see cref="ParseAggregateDistinctDrained"/>: about what one of 64 partitions receives
    /// between two flushes of a speed layer reading a backlog at 200,000 events/s (5 s apart).
    /// </summary>
    public const int DrainEvery = 16_000;

    private byte[][] _messages = [];
    private EventParser _parser = null!;
    private EventRecord _record = null!;
    private ViewAggregator _aggregator = null!;
    private ViewAggregator _quantilesAggregator = null!;
    private ViewAggregator _derivedAggregator = null!;
    private ViewAggregator _enrichedAggregator = null!;
    private ViewAggregator _statusAggregator = null!;
    private EventParser _enrichedParser = null!;
    private EventRecord _enrichedRecord = null!;

    /// <summary>Loads the default catalog and generates the messages.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var catalog = CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml"));
        var view = catalog.GetView("revenue_by_country");
        _parser = new EventParser(view.Source);
        _record = _parser.CreateRecord();
        _aggregator = new ViewAggregator(view);
        _quantilesAggregator = new ViewAggregator(catalog.GetView("order_amounts"));
        _derivedAggregator = new ViewAggregator(catalog.GetView("orders_by_amount_band"));
        _statusAggregator = new ViewAggregator(catalog.GetView("orders_by_status"));
        _messages = OrderMessages.Generate(MessageCount);

        // The default catalog plus one view that uses a lookup (region), a derived field (amount_band) and quantiles.
        var enriched = CatalogLoader.Parse(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "catalog.yaml")) + """

              bench_region_bands:
                source: orders
                granularity: hour
                dimensions: [region, amount_band]
                measures: { orders: count, amount: quantiles(amount) }
            """);
        var countries = enriched.Lookups.Single(l => l.Name == "countries");
        var rows = LookupRowsReader.FromCsv(countries, "country,region,currency\n" + string.Concat(OrderMessages.Countries.Select((c, i) => $"{c},region_{i % 4},EUR\n")));
        _enrichedParser = new EventParser(enriched.GetSource("orders"));
        _enrichedRecord = _enrichedParser.CreateRecord();
        _enrichedRecord.Lookups = new LookupSnapshot([new LookupTable(countries, 1, DateTimeOffset.UnixEpoch, rows)]);
        _enrichedAggregator = new ViewAggregator(enriched.GetView("bench_region_bands"));
    }

    /// <summary>
    /// Parse, join <c>countries</c> (region at the event time), derive <c>amount_band</c> and aggregate count and quantiles
    /// per hour, region and band: the kernel target for a view with a lookup, a derived field and quantiles (1 M events/s per core).
    /// </summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long ParseLookupDeriveQuantiles()
    {
        var parser = _enrichedParser;
        var record = _enrichedRecord;
        long matched = 0;
        foreach (var message in _messages)
        {
            if (parser.TryParse(message, record, out _) && _enrichedAggregator.Add(record))
            {
                matched++;
            }
        }

        return matched;
    }

    /// <summary>Parse, filter and aggregate every message (the speed layer's and batch layer's inner loop).</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long ParseFilterAggregate() => ParseAndAggregate(_aggregator);

    /// <summary>Parse and aggregate into <c>order_amounts</c> (count and a DDSketch of the amount per status and hour).</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long ParseAggregateQuantiles() => ParseAndAggregate(_quantilesAggregator);

    /// <summary>
    /// Parse, derive and aggregate into <c>orders_by_amount_band</c> (count and sum of the amount per hour and derived
    /// <c>amount_band: bucket(amount, 50)</c>): the cost of a derived dimension.
    /// </summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long ParseDeriveAggregate() => ParseAndAggregate(_derivedAggregator);

    /// <summary>
    /// Parse and aggregate into <c>orders_by_status</c> (count, sum, average and distinct users per status and hour), drained
    /// every <see cref="DrainEvery"/> events as a flush drains one partition's aggregator in the speed layer: the distinct
    /// counts start empty after each drain and grow through their sparse form again.
    /// </summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long ParseAggregateDistinctDrained() => ParseAndAggregate(_statusAggregator, DrainEvery);

    /// <summary>Parse only, to show how the cost splits.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long ParseOnly()
    {
        var parser = _parser;
        var record = _record;
        long accepted = 0;
        foreach (var message in _messages)
        {
            if (parser.TryParse(message, record, out _))
            {
                accepted++;
            }
        }

        return accepted;
    }

    // drainEvery > 0: the aggregator is drained after that many messages, as a flush drains it.
    private long ParseAndAggregate(ViewAggregator aggregator, int drainEvery = 0)
    {
        var parser = _parser;
        var record = _record;
        long matched = 0;
        var sinceDrain = 0;
        foreach (var message in _messages)
        {
            if (parser.TryParse(message, record, out _) && aggregator.Add(record))
            {
                matched++;
            }

            if (++sinceDrain == drainEvery)
            {
                aggregator.Drain();
                sinceDrain = 0;
            }
        }

        return matched;
    }
}
