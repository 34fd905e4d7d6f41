using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// <c>--catalog-vs-plain</c>: one backlog of orders and payments (a quarter as many) on the dev broker, read twice. First
/// by a plain consumer in this process that only parses each event into a record (<see cref="EventParser"/>, the speed
/// layer's consumer settings): the consume-and-parse rate of the broker. Then by the speed layer running the default
/// catalog (every view, the lookups <c>countries</c> and <c>fx_rates</c> published, derived fields, quantiles), until every
/// event is visible in ClickHouse in every view of its source. Both rates, over the whole backlog and between 10 % and
/// 90 % of it (without start-up and tail), and their ratio are printed in one run; then, to say where the cost is, the
/// speed layer over the same backlog with two views of one shape, without and with the lookups joined.
/// </summary>
internal sealed class CatalogVsPlainBenchmark(SpeedBenchmarkSettings settings, TextWriter output)
{
    private static readonly string[] Sources = ["orders", "payments", "page_views", "sensor_readings"];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var endpoints = StackEndpoints.Load();
        var partitions = settings.ThroughputPartitions;
        var topics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in Sources)
        {
            // Only orders and payments carry events; the other sources get an empty topic of their own.
            var count = source is "orders" or "payments" ? partitions : 1;
            topics[source] = (await DevBrokerAdmin.CreateUniqueTopicAsync($"bench-catalog-{source.Replace('_', '-')}", count, cancellationToken)).Name;
        }

        var directory = Directory.CreateTempSubdirectory("lambda-speed-catalog-bench-").FullName;
        var database = $"speed_bench_{Guid.NewGuid():N}"[..20];
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var system = new ClickHouseClient(http, new ClickHouseOptions { Url = endpoints.ClickHouseUrl, Database = "system" }, NullLogger<ClickHouseClient>.Instance);
        var plainDatabase = $"speed_bench_{Guid.NewGuid():N}"[..20];
        var joinedDatabase = $"speed_bench_{Guid.NewGuid():N}"[..20];
        try
        {
            var (yaml, catalog) = DefaultCatalogSetup.Load(topics);
            var catalogPath = Path.Combine(directory, "catalog.yaml");
            await File.WriteAllTextAsync(catalogPath, yaml, cancellationToken);
            await DefaultCatalogSetup.PublishLookupsAsync(catalog, directory, cancellationToken);
            var orders = settings.ThroughputEvents;
            var payments = settings.ThroughputEvents / 4;
            var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Split(' ')[0] : "n/a";
            output.WriteLine($"Speed layer with the default catalog ({catalog.Views.Count} views, lookups {string.Join(", ", catalog.Lookups.Select(l => l.Name))}) vs plain consume-and-parse, {Environment.ProcessorCount} cores, load average {load}; broker {endpoints.KafkaBootstrap}");
            output.WriteLine($"[backlog] producing {orders:N0} orders and {payments:N0} payments to {partitions} partitions each ...");
            var produced = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["orders"] = Produce(endpoints.KafkaBootstrap, topics["orders"], partitions, orders, new OrderEvents(1).Next),
                ["payments"] = Produce(endpoints.KafkaBootstrap, topics["payments"], partitions, payments, new PaymentEvents(2).Next),
            };
            var total = produced.Values.Sum();

            var plain = ConsumeAndParse(endpoints.KafkaBootstrap, catalog, topics, partitions, total, cancellationToken);
            Print("plain consume-and-parse (this process)", total, plain);

            var speed = await SpeedLayerAsync("default", catalogPath, directory, database, catalog, partitions, produced, cancellationToken, settings.Instances);
            var processes = settings.Instances == 1 ? "" : $", {settings.Instances} processes in one group, CPU summed";
            Print($"speed layer, default catalog (produce backlog → visible in ClickHouse in all {catalog.Views.Count(v => v.Source.Name is "orders" or "payments")} views of orders and payments{processes})", total, speed);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RATIO speed layer / plain consume-and-parse: {speed.Steady / plain.Steady:F2}x steady (10 % → 90 %), {speed.Whole / plain.Whole:F2}x whole backlog (target >= 0.8x)"));
            await PrintSpeedTablesAsync(system, database, total, cancellationToken);

            if (settings.WithoutPairs)
            {
                return 0;
            }

            // Where the cost is: the same backlog through two views of one shape, without and with the joins.
            var pairs = new Dictionary<bool, Rates>();
            foreach (var joined in new[] { false, true })
            {
                var name = joined ? "pair-joined" : "pair-plain";
                var path = Path.Combine(directory, name + ".yaml");
                var pairYaml = DefaultCatalogSetup.PairYaml(topics, joined);
                await File.WriteAllTextAsync(path, pairYaml, cancellationToken);
                pairs[joined] = await SpeedLayerAsync(name, path, directory, joined ? joinedDatabase : plainDatabase, CatalogLoader.Parse(pairYaml), partitions, produced, cancellationToken);
                Print(joined
                    ? "speed layer, the same two views joined (region from countries; amount_eur from fx_rates)"
                    : "speed layer, two views without lookups (paid orders by country: count, sum, distinct; succeeded payments by method: count, sum)", total, pairs[joined]);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RATIO two views / plain consume-and-parse: {pairs[false].Steady / plain.Steady:F2}x steady without lookups, {pairs[true].Steady / plain.Steady:F2}x with; joined / not joined {pairs[true].Steady / pairs[false].Steady:F2}x"));
            return 0;
        }
        finally
        {
            foreach (var topic in topics.Values)
            {
                await DevBrokerAdmin.DeleteTopicAsync(topic, CancellationToken.None);
            }

            foreach (var name in new[] { database, plainDatabase, joinedDatabase })
            {
                await system.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(name)}", CancellationToken.None);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Events/s over the whole backlog and between the moments 10 % and 90 % of it were done, CPU seconds the reader used,
    /// and what the other processes on the cores used meanwhile.
    /// </summary>
    private readonly record struct Rates(double Whole, double Steady, double CpuSeconds, Neighbours Meanwhile);

    /// <summary>What else used the cores while a reader ran: ClickHouse, the dev broker, and the share of the machine busy.</summary>
    private readonly record struct Neighbours(double? ClickHouseCpuSeconds, double? BrokerCpuSeconds, double? MachineBusy)
    {
        public static (double? ClickHouse, double? Broker, MachineCpu? Machine) Start() =>
            (StackProcessCpu.Seconds("clickhouse"), StackProcessCpu.Seconds("dev-broker"), MachineCpu.Read());

        public static Neighbours Since((double? ClickHouse, double? Broker, MachineCpu? Machine) start) =>
            new(StackProcessCpu.Seconds("clickhouse") - start.ClickHouse, StackProcessCpu.Seconds("dev-broker") - start.Broker, MachineCpu.BusyShare(start.Machine, MachineCpu.Read()));
    }

    private void Print(string what, long total, Rates rates)
    {
        var meanwhile = rates.Meanwhile;
        var others = meanwhile.ClickHouseCpuSeconds is { } seconds ? string.Create(CultureInfo.InvariantCulture, $", ClickHouse server CPU meanwhile {seconds:F1} s") : "";
        others += meanwhile.BrokerCpuSeconds is { } broker ? string.Create(CultureInfo.InvariantCulture, $", dev broker CPU {broker:F1} s ({broker * 1e6 / total:F2} µs per event)") : "";
        others += meanwhile.MachineBusy is { } busy ? string.Create(CultureInfo.InvariantCulture, $", machine {busy:P0} busy ({Environment.ProcessorCount} cores)") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{what}] {rates.Whole:N0} events/s whole backlog, {rates.Steady:N0} events/s steady (10 % → 90 %), CPU {rates.CpuSeconds:F1} s ({rates.CpuSeconds * 1e6 / total:F2} µs per event){others}"));
    }

    /// <summary>What each view's speed table received (rows and uncompressed bytes, from <c>system.parts</c>), largest first.</summary>
    private async Task PrintSpeedTablesAsync(IClickHouseClient system, string database, long events, CancellationToken cancellationToken)
    {
        var rows = await system.QueryRowsAsync(
            $"SELECT table, toInt64(sum(rows)) AS r, toInt64(sum(data_uncompressed_bytes)) AS b FROM system.parts WHERE active AND database = {ClickHouseSql.QuoteString(database)} "
            + "AND table LIKE 'speed%' GROUP BY table ORDER BY b DESC",
            cancellationToken);
        foreach (var row in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  speed table {row.GetString(0)}: {row.GetInt64(1):N0} rows ({(double)row.GetInt64(1) / events:F3} per event), {row.GetInt64(2) / 1048576.0:F1} MiB uncompressed"));
        }
    }

    private static long Produce(string bootstrap, string topic, int partitions, long count, Func<long, byte[]> next)
    {
        using var producer = SpeedBenchmark.Producer(bootstrap);
        var targets = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToArray();
        for (long i = 0; i < count; i++)
        {
            SpeedBenchmark.Produce(producer, targets[i % partitions], next(i));
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        return count;
    }

    /// <summary>
    /// Reads every produced event from the start of each partition with the speed layer's consumer settings and parses it
    /// into a record of its source, nothing else; times from the first message on.
    /// </summary>
    private static Rates ConsumeAndParse(string bootstrap, LambdaCatalog catalog, Dictionary<string, string> topics, int partitions, long total, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench-plain-" + Guid.NewGuid().ToString("N")[..8],
            EnableAutoCommit = false,
            EnablePartitionEof = false,
            ConsumeResultFields = "topic,timestamp,headers",
        };

        // The speed layer's throughput settings (KafkaSpeedConsumer.BuildConfig).
        config.Set("fetch.queue.backoff.ms", "10");
        config.Set("queued.min.messages", "1000000");
        config.Set("fetch.wait.max.ms", "10");
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        var parsers = new Dictionary<string, (EventParser Parser, EventRecord Record)>(StringComparer.Ordinal);
        foreach (var source in new[] { "orders", "payments" })
        {
            var parser = new EventParser(catalog.GetSource(source));
            parsers[topics[source]] = (parser, parser.CreateRecord());
        }

        consumer.Assign(parsers.Keys.SelectMany(topic => Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning))));
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var neighbours = Neighbours.Start();
        long seen = 0, rejected = 0, first = 0, tenth = 0, ninetieth = 0;
        while (seen < total)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"the plain consumer got nothing for 30 s after {seen:N0} of {total:N0} events");
            if (first == 0)
            {
                first = Stopwatch.GetTimestamp();
            }

            var (parser, record) = parsers[result.Topic];
            if (!parser.TryParse(result.Message.Value, record, out _))
            {
                rejected++;
            }

            seen++;
            tenth = tenth == 0 && seen >= total / 10 ? Stopwatch.GetTimestamp() : tenth;
            ninetieth = ninetieth == 0 && seen >= total * 9 / 10 ? Stopwatch.GetTimestamp() : ninetieth;
            cancellationToken.ThrowIfCancellationRequested();
        }

        var end = Stopwatch.GetTimestamp();
        process.Refresh();
        if (rejected > 0)
        {
            throw new InvalidOperationException($"the plain consumer rejected {rejected:N0} events: the benchmark's events must all be valid");
        }

        return new Rates(total / Seconds(first, end), total * 0.8 / Seconds(tenth, ninetieth), (process.TotalProcessorTime - cpu).TotalSeconds, Neighbours.Since(neighbours));
    }

    /// <summary>
    /// Starts the speed layer (<paramref name="name"/>: its group and log; <paramref name="instances"/> processes in that
    /// group) with <paramref name="catalogPath"/> writing to ClickHouse database <paramref name="database"/>; measures
    /// from when the first process owns partitions (it then reads the backlog; the others' joins and the rebalances they
    /// cause count against the rate) until every event is visible in every view of its source; stops them.
    /// </summary>
    private async Task<Rates> SpeedLayerAsync(
        string name, string catalogPath, string datasetRoot, string database, LambdaCatalog catalog, int partitions, Dictionary<string, long> produced,
        CancellationToken cancellationToken, int instances = 1)
    {
        var endpoints = StackEndpoints.Load();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var clickHouse = new ClickHouseClient(http, new ClickHouseOptions { Url = endpoints.ClickHouseUrl, Database = database }, NullLogger<ClickHouseClient>.Instance);
        var environment = new Dictionary<string, string>(settings.SpeedLayerEnvironment)
        {
            ["Kafka__BootstrapServers"] = endpoints.KafkaBootstrap,
            ["Kafka__BootstrapFile"] = string.Empty,
            ["ClickHouse__Url"] = endpoints.ClickHouseUrl.AbsoluteUri,
            ["ClickHouse__Database"] = database,
            ["Catalog__Path"] = catalogPath,
            ["Batch__DatasetRoot"] = datasetRoot,
            ["ConnectionStrings__Postgres"] = endpoints.PostgresConnectionString,
            ["SpeedLayer__GroupId"] = $"bench-{name}-" + Guid.NewGuid().ToString("N")[..8],
            ["SpeedLayer__SessionTimeout"] = "00:00:06",
        };
        var hosts = Enumerable.Range(0, instances)
            .Select(i => SpeedLayerHost.Start(environment, Path.Combine(datasetRoot, instances == 1 ? $"speed-layer-{name}.log" : $"speed-layer-{name}-{i}.log")))
            .ToArray();
        try
        {
            var rates = await MeasureAsync(hosts, clickHouse, catalog, partitions, produced, catalog.Sources.Count(s => !produced.ContainsKey(s.Name)), cancellationToken);
            foreach (var host in hosts)
            {
                output.WriteLine($"speed layer ({name}) stopped with exit code {await host.StopAsync(TimeSpan.FromSeconds(60))}");
            }

            return rates;
        }
        catch
        {
            foreach (var host in hosts)
            {
                output.WriteLine($"--- the speed layer's ({name}) last log lines ({host.LogPath}) ---");
                foreach (var line in File.ReadLines(host.LogPath).TakeLast(40))
                {
                    output.WriteLine(line);
                }
            }

            throw;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private async Task<Rates> MeasureAsync(
        IReadOnlyList<SpeedLayerHost> hosts, IClickHouseClient clickHouse, LambdaCatalog catalog, int partitions, Dictionary<string, long> produced, int emptyTopics, CancellationToken cancellationToken)
    {
        var total = produced.Values.Sum();
        // One process: from when it owns every partition. Several: from when the first owns any, since it reads the backlog
        // from then on while the others join.
        if (hosts.Count == 1)
        {
            await hosts[0].WaitUntilConsumingAsync(2 * partitions + emptyTopics, TimeSpan.FromSeconds(120), cancellationToken);
        }
        else
        {
            await Task.WhenAny(hosts.Select(h => h.WaitUntilConsumingAsync(1, TimeSpan.FromSeconds(120), cancellationToken)));
        }

        var start = Stopwatch.GetTimestamp();
        var cpu = hosts.Aggregate(TimeSpan.Zero, (sum, h) => sum + h.CpuTime);
        var neighbours = Neighbours.Start();
        foreach (var host in hosts)
        {
            output.WriteLine($"speed layer consuming ({host.BaseUrl}, log {host.LogPath})");
        }

        var pollers = produced.Keys.Select(source => new VisibilityPoller(clickHouse, catalog.ViewsOf(source), partitions, settings.BacklogPollInterval)).ToArray();
        var done = false;
        var polling = pollers.Select(p => p.RunAsync(() => Volatile.Read(ref done), (_, _, _, _) => { }, cancellationToken)).ToArray();
        long tenth = 0, ninetieth = 0, visible;
        var steps = new List<string>();
        long lastVisible = 0;
        while ((visible = pollers.Sum(p => p.VisibleCount)) < total)
        {
            if (visible != lastVisible)
            {
                steps.Add(string.Create(CultureInfo.InvariantCulture, $"{Seconds(start, Stopwatch.GetTimestamp()):F1} s {(double)visible / total:P0}"));
                lastVisible = visible;
            }

            if (Seconds(start, Stopwatch.GetTimestamp()) > 600)
            {
                throw new TimeoutException($"only {visible:N0} of {total:N0} events visible after 10 minutes");
            }

            tenth = tenth == 0 && visible >= total / 10 ? Stopwatch.GetTimestamp() : tenth;
            ninetieth = ninetieth == 0 && visible >= total * 9 / 10 ? Stopwatch.GetTimestamp() : ninetieth;
            await Task.Delay(20, cancellationToken);
        }

        var end = Stopwatch.GetTimestamp();
        steps.Add(string.Create(CultureInfo.InvariantCulture, $"{Seconds(start, end):F1} s 100 %"));

        // Visibility moves in steps, one per flush; the steps say how much of the time is the tail after the last read.
        output.WriteLine($"  visible over time: {string.Join(", ", steps)}");
        ninetieth = ninetieth == 0 ? end : ninetieth;
        var used = (hosts.Aggregate(TimeSpan.Zero, (sum, h) => sum + h.CpuTime) - cpu).TotalSeconds;
        Volatile.Write(ref done, true);
        await Task.WhenAll(polling);
        return new Rates(total / Seconds(start, end), total * 0.8 / Seconds(tenth, ninetieth), used, Neighbours.Since(neighbours));
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}
