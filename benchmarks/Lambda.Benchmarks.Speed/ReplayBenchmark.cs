using System.Diagnostics;
using Lambda.BatchLayer.Dataset;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// Kappa mode's replay rate: archives <c>--replay-events</c> orders as the archiver stores them (one commit of 10,000
/// events per partition at a time, flush files), starts the speed layer with <c>Lambda:Mode=kappa</c> on an empty topic and
/// measures events/s from its first stored flush until both views hold every archived offset.
/// </summary>
internal sealed class ReplayBenchmark(SpeedBenchmarkSettings settings, TextWriter output)
{
    private const int PerCommit = 10_000;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var endpoints = StackEndpoints.Load();
        var partitions = settings.ThroughputPartitions;
        var topic = await DevBrokerAdmin.CreateUniqueTopicAsync("bench-speed-replay", partitions, cancellationToken);
        var directory = Directory.CreateTempSubdirectory("lambda-replay-bench-").FullName;
        var database = $"replay_bench_{Guid.NewGuid():N}"[..20];
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var clickHouse = new ClickHouseClient(http, new ClickHouseOptions { Url = endpoints.ClickHouseUrl, Database = database }, NullLogger<ClickHouseClient>.Instance);
        try
        {
            var yaml = BenchmarkCatalog.Yaml(topic.Name, topic.Name + "-unused");
            var catalogPath = Path.Combine(directory, "catalog.yaml");
            await File.WriteAllTextAsync(catalogPath, yaml, cancellationToken);
            var catalog = CatalogLoader.Parse(yaml);
            var source = catalog.GetSource("orders_t");
            var ends = await ArchiveAsync(Path.Combine(directory, "dataset"), source, partitions, cancellationToken);
            var total = ends.Sum();
            var kappaViews = catalog.ForMode(Shared.Deployment.LambdaMode.Kappa).ViewsOf("orders_t");
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Kafka__BootstrapServers"] = endpoints.KafkaBootstrap,
                ["Kafka__BootstrapFile"] = string.Empty,
                ["ClickHouse__Url"] = endpoints.ClickHouseUrl.AbsoluteUri,
                ["ClickHouse__Database"] = database,
                ["Catalog__Path"] = catalogPath,
                ["Batch__DatasetRoot"] = Path.Combine(directory, "dataset"),
                ["Lambda__Mode"] = "kappa",
                ["ConnectionStrings__Postgres"] = endpoints.PostgresConnectionString,
                ["SpeedLayer__GroupId"] = "bench-replay-" + Guid.NewGuid().ToString("N")[..8],
            };
            foreach (var (key, value) in settings.SpeedLayerEnvironment)
            {
                environment[key] = value;
            }

            await using var host = SpeedLayerHost.Start(environment, Path.Combine(directory, "speed-layer.log"));
            long first = 0;
            var firstAt = 0L;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var stored = await StoredAsync(clickHouse, kappaViews, cancellationToken);
                if (firstAt == 0 && stored > 0)
                {
                    (first, firstAt) = (stored, Stopwatch.GetTimestamp());
                }

                if (stored >= total)
                {
                    break;
                }

                await Task.Delay(settings.PollInterval, cancellationToken);
            }

            var seconds = Stopwatch.GetElapsedTime(firstAt).TotalSeconds;
            output.WriteLine(
                $"[replay] {total:N0} archived events ({partitions} partitions, {kappaViews.Count} views) replayed by the Kappa speed layer: "
                + $"{(total - first) / seconds:N0} events/s ({total - first:N0} events in {seconds:0.00} s after its first flush); process CPU {host.CpuTime.TotalSeconds:0.0} s");
            await host.StopAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await DevBrokerAdmin.DeleteTopicAsync(topic.Name, CancellationToken.None);
            await clickHouse.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(database)}", CancellationToken.None);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Stores the events as the archiver would; returns per partition the committed end.</summary>
    private async Task<long[]> ArchiveAsync(string root, SourceDefinition source, int partitions, CancellationToken cancellationToken)
    {
        var writer = new MasterDatasetWriter(root, source, flushToDisk: false);
        var parser = new EventParser(source);
        var generator = new OrderEvents(7, settings.SpreadDays);
        var perPartition = Math.Max(1, settings.ReplayEvents / partitions);
        var ends = new long[partitions];
        for (var partition = 0; partition < partitions; partition++)
        {
            for (long firstOffset = 0; firstOffset < perPartition; firstOffset += PerCommit)
            {
                var last = Math.Min(firstOffset + PerCommit, perPartition) - 1;
                var batch = new MasterPartitionBatch(source, partition);
                for (var offset = firstOffset; offset <= last; offset++)
                {
                    if (!parser.TryParse(generator.Next(offset), out var record, out var rejection))
                    {
                        throw new InvalidOperationException($"a generated event was rejected: {rejection}");
                    }

                    batch.Add(record, offset);
                }

                await writer.CommitAsync(batch, firstOffset, last, 0, cancellationToken);
            }

            ends[partition] = perPartition;
        }

        return ends;
    }

    /// <summary>The offsets every view holds (the smallest over the views of the sum over partitions of max last_offset + 1).</summary>
    private static async Task<long> StoredAsync(IClickHouseClient clickHouse, IReadOnlyList<ViewDefinition> views, CancellationToken cancellationToken)
    {
        var least = long.MaxValue;
        foreach (var view in views)
        {
            try
            {
                var max = await SpeedTableQueries.ReadMaxOffsetsAsync(clickHouse, SpeedTableSchema.For(view), null, cancellationToken);
                least = Math.Min(least, max.Values.Sum(m => m + 1));
            }
            catch (ClickHouseException)
            {
                // The speed layer has not created the tables yet.
                return 0;
            }
        }

        return least;
    }
}
