using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using HdrHistogram;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// Runs the speed layer as a child process against the local stack (dev broker, ClickHouse) and measures,
/// end to end: sustained events/s (produce as fast as possible → every event visible in ClickHouse), and
/// freshness percentiles (event produced → visible in ClickHouse) at a steady rate.
/// </summary>
internal sealed class SpeedBenchmark(SpeedBenchmarkSettings settings, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var endpoints = StackEndpoints.Load();
        var throughputTopic = await DevBrokerAdmin.CreateUniqueTopicAsync("bench-speed-throughput", settings.ThroughputPartitions, cancellationToken);
        var freshnessTopic = await DevBrokerAdmin.CreateUniqueTopicAsync("bench-speed-freshness", settings.FreshnessPartitions, cancellationToken);
        var directory = Directory.CreateTempSubdirectory("lambda-speed-bench-").FullName;
        var database = $"speed_bench_{Guid.NewGuid():N}"[..20];
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var clickHouse = new ClickHouseClient(http, new ClickHouseOptions { Url = endpoints.ClickHouseUrl, Database = database }, NullLogger<ClickHouseClient>.Instance);
        var yaml = BenchmarkCatalog.Yaml(throughputTopic.Name, freshnessTopic.Name);
        var catalog = CatalogLoader.Parse(yaml);
        var catalogPath = Path.Combine(directory, "catalog.yaml");
        await File.WriteAllTextAsync(catalogPath, yaml, cancellationToken);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Kafka__BootstrapServers"] = endpoints.KafkaBootstrap,
            ["Kafka__BootstrapFile"] = string.Empty,
            ["ClickHouse__Url"] = endpoints.ClickHouseUrl.AbsoluteUri,
            ["ClickHouse__Database"] = database,
            ["Catalog__Path"] = catalogPath,
            // The fencing tokens (SpeedLayer:Fencing, off by default; --set SpeedLayer__Fencing=true) come from PostgreSQL at every assignment.
            ["ConnectionStrings__Postgres"] = endpoints.PostgresConnectionString,
            ["SpeedLayer__GroupId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["SpeedLayer__SessionTimeout"] = "00:00:06",
        };
        foreach (var (key, value) in settings.SpeedLayerEnvironment)
        {
            environment[key] = value;
        }

        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Split(' ')[0] : "n/a";
        output.WriteLine($"Speed-layer benchmark on {Environment.ProcessorCount} cores (load average {load} before it starts); broker {endpoints.KafkaBootstrap}, ClickHouse {endpoints.ClickHouseUrl} (database {database})");
        var host = SpeedLayerHost.Start(environment, Path.Combine(directory, "speed-layer.log"));
        var finished = false;
        try
        {
            await host.WaitUntilConsumingAsync(settings.ThroughputPartitions + settings.FreshnessPartitions, TimeSpan.FromSeconds(90), cancellationToken);
            output.WriteLine($"speed layer consuming ({host.BaseUrl}, log {host.LogPath})");
            var cpu = host.CpuTime;
            await ThroughputAsync(endpoints.KafkaBootstrap, throughputTopic.Name, catalog.ViewsOf("orders_t"), clickHouse, cancellationToken);
            output.WriteLine($"[throughput] speed-layer process CPU: {(host.CpuTime - cpu).TotalSeconds:0.0} s ({(host.CpuTime - cpu).TotalMicroseconds / settings.ThroughputEvents:0.00} µs per event)");
            cpu = host.CpuTime;
            await FreshnessAsync(endpoints.KafkaBootstrap, freshnessTopic.Name, catalog.ViewsOf("orders_f"), clickHouse, cancellationToken);
            output.WriteLine($"[freshness] speed-layer process CPU: {(host.CpuTime - cpu).TotalSeconds:0.0} s ({(host.CpuTime - cpu).TotalMicroseconds / (settings.FreshnessRate * settings.FreshnessDuration.TotalSeconds):0.00} µs per event)");
            output.WriteLine($"speed layer stopped with exit code {await host.StopAsync(TimeSpan.FromSeconds(60))}");
            finished = true;
            return 0;
        }
        finally
        {
            await host.DisposeAsync();
            if (!finished && File.Exists(host.LogPath))
            {
                // The directory goes away below: what the speed layer said is the only clue to a failed run.
                output.WriteLine("--- the speed layer's last log lines ---");
                foreach (var line in File.ReadLines(host.LogPath).TakeLast(40))
                {
                    output.WriteLine(line);
                }
            }

            await DevBrokerAdmin.DeleteTopicAsync(throughputTopic.Name, CancellationToken.None);
            await DevBrokerAdmin.DeleteTopicAsync(freshnessTopic.Name, CancellationToken.None);
            await clickHouse.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(database)}", CancellationToken.None);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The benchmarks' producer: idempotent, batched, a queue deep enough for a backlog.</summary>
    internal static IProducer<Null, byte[]> Producer(string bootstrap) =>
        new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 2_000_000,
        }).Build();

    /// <summary>Produces one event, waiting while the producer's queue is full; a failed delivery throws.</summary>
    internal static void Produce(IProducer<Null, byte[]> producer, TopicPartition partition, byte[] value)
    {
        var message = new Message<Null, byte[]> { Value = value };
        while (true)
        {
            try
            {
                producer.Produce(partition, message, report =>
                {
                    if (report.Error.IsError)
                    {
                        throw new KafkaException(report.Error);
                    }
                });
                return;
            }
            catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(5));
            }
        }
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    private async Task ThroughputAsync(string bootstrap, string topic, IReadOnlyList<ViewDefinition> views, IClickHouseClient clickHouse, CancellationToken cancellationToken)
    {
        var total = settings.ThroughputEvents;
        var partitions = settings.ThroughputPartitions;
        var generator = new OrderEvents(1, settings.SpreadDays);
        var events = Enumerable.Range(0, (int)Math.Min(total, 200_000)).Select(i => generator.Next(i)).ToArray();
        var poller = new VisibilityPoller(clickHouse, views, partitions, TimeSpan.FromMilliseconds(100));
        long tenth = 0, ninetieth = 0;
        var pollerDone = false;
        var polling = poller.RunAsync(
            () => Volatile.Read(ref pollerDone),
            (_, _, _, seen) =>
            {
                var visible = poller.VisibleCount;
                if (tenth == 0 && visible >= total / 10)
                {
                    tenth = seen;
                }

                if (ninetieth == 0 && visible >= total * 9 / 10)
                {
                    ninetieth = seen;
                }
            },
            cancellationToken);

        output.WriteLine($"[throughput] producing {total:N0} events to {partitions} partitions as fast as possible ...");
        var start = Stopwatch.GetTimestamp();
        long produced;
        using (var producer = Producer(bootstrap))
        {
            var targets = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToArray();
            for (produced = 0; produced < total; produced++)
            {
                Produce(producer, targets[produced % partitions], events[produced % events.Length]);
            }

            producer.Flush(cancellationToken);
        }

        var producedAt = Stopwatch.GetTimestamp();
        while (poller.VisibleCount < total)
        {
            if (Seconds(producedAt, Stopwatch.GetTimestamp()) > 300)
            {
                throw new TimeoutException($"only {poller.VisibleCount:N0} of {total:N0} events visible 5 minutes after producing");
            }

            await Task.Delay(20, cancellationToken);
        }

        var visibleAt = Stopwatch.GetTimestamp();
        Volatile.Write(ref pollerDone, true);
        await polling;
        output.WriteLine($"[throughput] produced in {Seconds(start, producedAt):0.00} s ({total / Seconds(start, producedAt):N0} events/s into Kafka)");
        output.WriteLine($"[throughput] all {total:N0} events visible in ClickHouse (both views) after {Seconds(start, visibleAt):0.00} s");
        output.WriteLine($"[throughput] the last event became visible {Seconds(producedAt, visibleAt):0.00} s after the producer had all acknowledgements");
        output.WriteLine($"[throughput] SUSTAINED: {total / Seconds(start, visibleAt):N0} events/s produce → visible in ClickHouse");
        if (tenth > 0 && ninetieth > tenth)
        {
            output.WriteLine($"[throughput] steady state (10% → 90% visible): {total * 0.8 / Seconds(tenth, ninetieth):N0} events/s");
        }
    }

    private async Task FreshnessAsync(string bootstrap, string topic, IReadOnlyList<ViewDefinition> views, IClickHouseClient clickHouse, CancellationToken cancellationToken)
    {
        var rate = settings.FreshnessRate;
        var partitions = settings.FreshnessPartitions;
        var total = (long)(rate * settings.FreshnessDuration.TotalSeconds);
        var perPartition = (int)(total / partitions) + 1;
        var sent = Enumerable.Range(0, partitions).Select(_ => new long[perPartition]).ToArray();
        var warmupEnd = 0L;
        var histogram = new LongHistogram(TimeStamp.Seconds(60), 3);
        var warmup = new LongHistogram(TimeStamp.Seconds(60), 3);
        var poller = new VisibilityPoller(clickHouse, views, partitions, settings.PollInterval);
        var pollerDone = false;
        var polling = poller.RunAsync(
            () => Volatile.Read(ref pollerDone),
            (partition, from, to, seen) =>
            {
                var boundary = Volatile.Read(ref warmupEnd);
                for (var offset = from; offset <= to; offset++)
                {
                    var at = Volatile.Read(ref sent[partition][offset]);
                    var micros = Math.Max(0, (seen - at) * 1_000_000 / Stopwatch.Frequency);
                    (boundary != 0 && at >= boundary ? histogram : warmup).RecordValue(micros);
                }
            },
            cancellationToken);

        output.WriteLine($"[freshness] producing {rate:N0} events/s for {settings.FreshnessDuration.TotalSeconds:0} s to {partitions} partitions, event times {(settings.SpreadDays > 0 ? $"spread over {settings.SpreadDays:0.#} days" : "now")} (visibility polled every {settings.PollInterval.TotalMilliseconds:0} ms) ...");
        var generator = new OrderEvents(2, settings.SpreadDays);
        var start = Stopwatch.GetTimestamp();
        using (var producer = Producer(bootstrap))
        {
            var targets = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToArray();
            const int slice = 250;
            for (long i = 0; i < total; i++)
            {
                if (i % slice == 0)
                {
                    var due = start + (long)(i / (double)rate * Stopwatch.Frequency);
                    var wait = Seconds(Stopwatch.GetTimestamp(), due);
                    if (wait > 0.001)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait), cancellationToken);
                    }

                    if (warmupEnd == 0 && Seconds(start, Stopwatch.GetTimestamp()) >= settings.FreshnessWarmup.TotalSeconds)
                    {
                        Volatile.Write(ref warmupEnd, Stopwatch.GetTimestamp());
                    }
                }

                var partition = (int)(i % partitions);
                var value = generator.Next(i);
                Volatile.Write(ref sent[partition][i / partitions], Stopwatch.GetTimestamp());
                Produce(producer, targets[partition], value);
            }

            var producedFor = Seconds(start, Stopwatch.GetTimestamp());
            producer.Flush(cancellationToken);
            output.WriteLine($"[freshness] produced {total:N0} events in {producedFor:0.0} s ({total / producedFor:N0} events/s)");
        }

        while (poller.VisibleCount < total)
        {
            await Task.Delay(20, cancellationToken);
        }

        Volatile.Write(ref pollerDone, true);
        await polling;
        Report("[freshness] after warm-up", histogram);
        Report($"[freshness] first {settings.FreshnessWarmup.TotalSeconds:0} s (warm-up, not in the figures above)", warmup);
    }

    private void Report(string title, LongHistogram histogram)
    {
        if (histogram.TotalCount == 0)
        {
            output.WriteLine($"{title}: no events");
            return;
        }

        string Ms(double percentile) => (histogram.GetValueAtPercentile(percentile) / 1000.0).ToString("0", CultureInfo.InvariantCulture);
        output.WriteLine(
            $"{title}: {histogram.TotalCount:N0} events; produced → visible in ClickHouse: p50 {Ms(50)} ms, p90 {Ms(90)} ms, "
            + $"p99 {Ms(99)} ms, p99.9 {Ms(99.9)} ms, max {histogram.GetMaxValue() / 1000.0:0} ms");
    }
}
