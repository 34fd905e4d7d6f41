using System.Globalization;
using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.IntegrationTests.DevBroker;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Epochs;

/// <summary>
/// Offset epochs on the local stack, with the built services in child processes: a topic deleted and created again
/// under the running speed layer and archiver (its offsets start at 0 again, with a new topic id) begins a new epoch
/// and every event counts once, also after both are SIGKILLed right after it and after a recompute; a partition whose
/// log is behind the stored progress of its epoch, with nothing telling the restart apart, stops both consumers (readiness
/// names topic, partition and offsets) until an operator begins a new epoch with the <c>epoch</c> command; the broker
/// replaced three times under the platform (a move to another cluster, then two restarts, with a recompute between) keeps
/// every answer exact; a move to a cluster that holds mirrored copies of the topic, by the README's steps, counts each
/// event once. Totals
/// come from the serving API; the expected ones are summed by the test from the raw JSON events.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class OffsetEpochStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Partitions = 4;
    private const string QueryKey = "epoch-query-key";
    private const long OffsetBits = 44;
    private const int UnknownDatabase = 81;
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(90);
    private static readonly IReadOnlyList<byte[]> Events = OrderStream.Generate(3_600, seed: 20261205);

    private PlatformRig _rig = null!;
    private ClickHouseClient _clickHouse = null!;
    private HttpClient _serving = null!;

    // The broker the services and the producer use; null: the stack's.
    private string? _bootstrap;

    private string Bootstrap => _bootstrap ?? _rig.Stack.KafkaBootstrap;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("epochs", Partitions, PlatformRig.RevenueByCountryCatalog, TimeSpan.FromSeconds(30));
        _clickHouse = new ClickHouseClient(_rig.Http, new ClickHouseOptions { Url = _rig.Stack.ClickHouseUrl, Database = _rig.Database });
    }

    public async Task DisposeAsync()
    {
        _serving?.Dispose();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task A_topic_created_again_under_running_consumers_begins_a_new_epoch_and_every_event_counts_once()
    {
        var speed = StartSpeed();
        var archiver = StartArchiver();
        StartServing();

        // 500 events per partition; the topic created again gets fewer, so its offsets are below the stored ones too.
        await ProduceAsync(0, 2_000);
        await WaitForTotalsAsync(2_000, "before the topic is created again");
        await WaitForArchiveAsync(epoch: 0, perPartition: 500);

        Assert.True(await DevBrokerAdmin.DeleteTopicAsync(_rig.Topic, CancellationToken.None), "the topic was not deleted");
        await DevBrokerAdmin.CreateTopicAsync(_rig.Topic, Partitions, CancellationToken.None);
        await ProduceAsync(2_000, 2_800);
        await WaitForTotalsAsync(2_800, "after the topic was created again");
        await WaitForArchiveAsync(epoch: 1, perPartition: 200);
        var epochs = await ReadEpochsAsync();
        Assert.True(epochs.Count == 2 && epochs[1].Reason.Contains("topic id", StringComparison.Ordinal), $"expected epochs 0 and 1 (topic id changed): {string.Join("; ", epochs)}");

        // Both crash with events of the new epoch in flight; their successors resume in epoch 1, not in a third.
        await ProduceAsync(2_800, 3_600);
        _rig.Kill(speed);
        _rig.Kill(archiver);
        StartSpeed();
        StartArchiver();
        await WaitForTotalsAsync(3_600, "after SIGKILL of the speed layer and the archiver");
        await WaitForArchiveAsync(epoch: 1, perPartition: 400);
        Assert.Equal(2, (await ReadEpochsAsync()).Count);

        await RecomputeAsync();
        await AssertTotalsAsync(3_600, "after a recompute of both epochs", expectBatch: true);
    }

    [Fact]
    public async Task A_log_behind_its_stored_progress_stops_both_consumers_until_an_operator_begins_a_new_epoch()
    {
        var speed = StartSpeedWithPort();
        var batch = StartBatchServer();
        StartServing();
        await ProduceAsync(0, 2_000);
        await WaitForTotalsAsync(2_000, "before the broker lost the topic");
        await WaitForArchiveAsync(epoch: 0, perPartition: 500);

        // What an installation from before epochs looks like after its broker lost the topic: progress stored, no
        // epoch registered, and a log that restarted at 0 (the id of the topic the progress came from is unknown).
        _rig.Kill(speed.Process);
        _rig.Kill(batch.Process);
        await _clickHouse.ExecuteAsync("DROP TABLE IF EXISTS kafka_offset_epochs", null, CancellationToken.None);
        Assert.True(await DevBrokerAdmin.DeleteTopicAsync(_rig.Topic, CancellationToken.None), "the topic was not deleted");
        await DevBrokerAdmin.CreateTopicAsync(_rig.Topic, Partitions, CancellationToken.None);
        await ProduceAsync(2_000, 2_800);
        speed = StartSpeedWithPort();
        batch = StartBatchServer();

        // The killed consumers stay group members until their sessions expire, so a successor may own (and stop) only
        // some partitions at first; readiness names every partition once the group settles on the one live member.
        var reasons = Enumerable.Range(0, Partitions)
            .Select(partition => $"topic '{_rig.Topic}' partition {partition}: the log ends at offset 200, below offset 500")
            .ToArray();
        foreach (var service in new[] { speed, batch })
        {
            await WaitForReadinessAsync(service, HttpStatusCode.ServiceUnavailable, stoppedPartitions: true, mentions: reasons);
        }

        // Stopped means not read: nothing of the new log is counted while the partitions wait.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await AssertTotalsAsync(2_000, "while the partitions are stopped", expectBatch: false);

        await ServiceProcess.RunToEndAsync(
            Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["epoch", "--topic", _rig.Topic, "--new"], _rig.Environment(), TimeSpan.FromSeconds(60));
        await WaitForReadinessAsync(speed, HttpStatusCode.OK, stoppedPartitions: false);
        await WaitForReadinessAsync(batch, HttpStatusCode.OK, stoppedPartitions: false);
        await WaitForTotalsAsync(2_800, "after the operator began a new epoch");
        await WaitForArchiveAsync(epoch: 1, perPartition: 200);
        var epochs = await ReadEpochsAsync();
        Assert.True(epochs.Count == 2, $"expected epochs 0 and 1: {string.Join("; ", epochs)}");

        await RecomputeAsync();
        await AssertTotalsAsync(2_800, "after a recompute of both epochs", expectBatch: true);
    }

    [Fact]
    public async Task A_broker_replaced_three_times_under_the_platform_keeps_every_answer_exact()
    {
        // Four broker lifetimes of 800 events (200 per partition): the stack's broker, then brokers of the test's own
        // that start empty with the same topic (new topic ids), as a move to another cluster without mirroring, a dev
        // broker restart or a broker that lost its log give them. The services follow the new address by a restart,
        // as 'scripts/lambda run' does; the serving layer keeps running throughout.
        const int perLifetime = 800;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var speed = StartSpeed();
        var archiver = StartArchiver();
        StartServing();
        var brokers = new List<DevBrokerProcess>();
        try
        {
            for (var lifetime = 0; lifetime < 4; lifetime++)
            {
                if (lifetime > 0)
                {
                    if (brokers.Count > 0)
                    {
                        // The previous broker goes away under the running consumers first.
                        await brokers[^1].StopAsync(cancellation.Token);
                        await Task.Delay(TimeSpan.FromSeconds(2), cancellation.Token);
                    }

                    var broker = DevBrokerProcess.Start(Path.Combine(_rig.Root, $"broker-{lifetime}"), new Dictionary<string, string>
                    {
                        ["DevBroker__Topics__0__Name"] = _rig.Topic,
                        ["DevBroker__Topics__0__Partitions"] = Partitions.ToString(CultureInfo.InvariantCulture),
                    });
                    brokers.Add(broker);
                    _bootstrap = await broker.WaitUntilListeningAsync(cancellation.Token);
                    _rig.Kill(speed);
                    _rig.Kill(archiver);
                    speed = StartSpeed();
                    archiver = StartArchiver();
                }

                await ProduceAsync(lifetime * perLifetime, (lifetime + 1) * perLifetime);
                await WaitForTotalsAsync((lifetime + 1) * perLifetime, $"broker {lifetime}");
                await WaitForArchiveAsync(epoch: lifetime, perPartition: perLifetime / Partitions);
                if (lifetime == 1)
                {
                    await RecomputeAsync();
                    await AssertTotalsAsync(2 * perLifetime, "after a recompute between two broker changes", expectBatch: true);
                }
            }

            var epochs = await ReadEpochsAsync();
            Assert.True(epochs.Select(e => e.Epoch).SequenceEqual([0, 1, 2, 3]), $"expected epochs 0-3: {string.Join("; ", epochs)}");
            await RecomputeAsync();
            await AssertTotalsAsync(4 * perLifetime, "after a recompute of four epochs", expectBatch: true);
        }
        finally
        {
            foreach (var broker in brokers)
            {
                broker.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_move_to_a_mirrored_cluster_by_the_documented_steps_counts_every_event_once()
    {
        // The README's migration with a mirror: the new cluster holds copies of the old topic (offsets again from 0, a
        // new topic id), so a new epoch read from its start would count the copies twice. The documented steps: stop the
        // producers, wait until both consumers caught up, stop them, 'epoch --new --start latest' against the new cluster,
        // start them there, produce there.
        const int before = 1_200, after = 2_000;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var speed = StartSpeed();
        var archiver = StartArchiver();
        StartServing();
        await ProduceAsync(0, before);
        await WaitForTotalsAsync(before, "on the old cluster");
        await WaitForArchiveAsync(epoch: 0, perPartition: before / Partitions);

        using var mirror = DevBrokerProcess.Start(Path.Combine(_rig.Root, "mirror"), new Dictionary<string, string>
        {
            ["DevBroker__Topics__0__Name"] = _rig.Topic,
            ["DevBroker__Topics__0__Partitions"] = Partitions.ToString(CultureInfo.InvariantCulture),
        });
        _bootstrap = await mirror.WaitUntilListeningAsync(cancellation.Token);

        // What MirrorMaker leaves on the new cluster: every event of the old topic, in the same partitions and order.
        await ProduceAsync(0, before);
        _rig.Kill(speed);
        _rig.Kill(archiver);
        await ServiceProcess.RunToEndAsync(
            Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["epoch", "--topic", _rig.Topic, "--new", "--start", "latest"], Environment(), TimeSpan.FromSeconds(60));

        StartSpeed();
        StartArchiver();
        await ProduceAsync(before, after);
        await WaitForTotalsAsync(after, "on the mirrored cluster");
        await WaitForArchiveAsync(epoch: 1, perPartition: after / Partitions);
        var epochs = await ReadEpochsAsync();
        Assert.True(epochs.Count == 2, $"expected epochs 0 and 1 (the operator's): {string.Join("; ", epochs)}");

        await RecomputeAsync();
        await AssertTotalsAsync(after, "after a recompute over both clusters", expectBatch: true);
    }

    [Fact]
    public async Task A_speed_layer_behind_retention_counts_and_logs_the_offsets_it_skips()
    {
        var speed = StartSpeedWithPort();
        await ProduceToPartitionZeroAsync(Events.Take(10).ToList());
        await WaitForSpeedOffsetAsync(speed, 10);

        // Stopped, the speed layer falls behind by more than the dev broker keeps (~5 MiB per partition): padded
        // events of ~100 KB push the log's start past what the speed tables hold.
        _rig.Kill(speed.Process);
        var padding = new string('x', 60_000);
        var padded = Events.Skip(10).Take(150)
            .Select(json => System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(json).TrimEnd('}') + $",\"pad\":\"{padding}\"}}"))
            .ToList();
        await ProduceToPartitionZeroAsync(padded);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = $"epochs-probe-{_rig.RunId}" }).Build();
        var log = consumer.QueryWatermarkOffsets(new TopicPartition(_rig.Topic, 0), TimeSpan.FromSeconds(10));
        Assert.True(log.Low.Value > 10, $"the broker kept the whole log ({log.Low}-{log.High}); the test needs it to evict");

        speed = StartSpeedWithPort();
        await WaitForSpeedOffsetAsync(speed, log.High.Value);
        var skipped = await AssertEveryOffsetStoredOrSkippedAsync(speed, log.High.Value);

        // At least what the broker no longer had, and a margin above it (the log's start may move while the partition is assigned).
        Assert.True(skipped >= log.Low.Value - 10 && skipped < log.High.Value - 10, $"{skipped} offsets skipped; the log held {log.Low}-{log.High}");

        // The process's output is read asynchronously: the line may reach the tail after the metric counted the offsets.
        var evicted = $"Topic {_rig.Topic} partition 0: offsets 10-{10 + (long)skipped - 1} were evicted";
        await PlatformRig.Eventually(
            () => Task.FromResult(speed.Process.Tail.Contains(evicted, StringComparison.Ordinal)),
            $"the speed layer to log '{evicted}'",
            Convergence,
            () => speed.Process.Tail);
    }

    [Fact]
    public async Task A_speed_layer_behind_a_log_whose_start_keeps_moving_reads_on_and_counts_every_gap()
    {
        var speed = StartSpeedWithPort();
        await ProduceToPartitionZeroAsync(Events.Take(10).ToList());
        await WaitForSpeedOffsetAsync(speed, 10);

        // Paused (shorter than its session, so it keeps its partitions), the speed layer falls out of retention; then a
        // producer keeps the log's start moving (each message evicts an old one) while it plans again. An offset fixed
        // at plan time is gone by the time the fetch starts; a soak's speed layer planned again and again for 20 minutes.
        await ProcessSignals.SendAsync(speed.Process.Id, "STOP");
        var padding = new string('x', 40_000);
        var padded = Events.Skip(10)
            .Select(json => System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(json).TrimEnd('}') + $",\"pad\":\"{padding}\"}}"))
            .ToList();
        await ProduceToPartitionZeroAsync(padded.Take(200).ToList());
        using var producing = new CancellationTokenSource();
        var background = Task.Run(() => ProduceToPartitionZeroAsync(Cycle(padded.Skip(200)), TimeSpan.FromMilliseconds(5), producing.Token));
        try
        {
            using var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = $"epochs-probe-{_rig.RunId}" }).Build();
            var paused = probe.QueryWatermarkOffsets(new TopicPartition(_rig.Topic, 0), TimeSpan.FromSeconds(10));
            Assert.True(paused.Low.Value > 10, $"the broker kept the whole log ({paused.Low}-{paused.High}); the test needs it to evict");
            await ProcessSignals.SendAsync(speed.Process.Id, "CONT");

            // Read on while the log's start still moves: the speed tables reach past where the log ended when it woke up.
            await WaitForSpeedOffsetAsync(speed, paused.High.Value, atLeast: true);
        }
        finally
        {
            await producing.CancelAsync();
            await background;
        }

        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = $"epochs-probe2-{_rig.RunId}" }).Build();
        var end = consumer.QueryWatermarkOffsets(new TopicPartition(_rig.Topic, 0), TimeSpan.FromSeconds(10)).High.Value;
        await WaitForSpeedOffsetAsync(speed, end);

        var skipped = await AssertEveryOffsetStoredOrSkippedAsync(speed, end);
        Assert.True(skipped > 0, $"nothing was counted as skipped:\n{speed.Process.Tail}");
    }

    /// <summary>
    /// Every offset of partition 0 below <paramref name="end"/> is either in a flush range the speed table stores or
    /// counted by <c>lambda_speed_offsets_skipped_total</c>, never both; returns the count.
    /// </summary>
    private async Task<double> AssertEveryOffsetStoredOrSkippedAsync((ServiceProcess Process, int Port) speed, long end)
    {
        var table = (await _clickHouse.QueryRowsAsync(
            $"SELECT name FROM system.tables WHERE database = {ClickHouseSql.QuoteString(_rig.Database)} AND name LIKE 'speed_revenue_by_country_%'",
            null,
            CancellationToken.None))[0].GetString(0);
        var ranges = await _clickHouse.QueryRowsAsync(
            $"SELECT DISTINCT toInt64(first_offset), toInt64(last_offset) FROM {ClickHouseSql.QuoteIdentifier(table)} WHERE partition = 0 ORDER BY 1",
            null,
            CancellationToken.None);
        var stored = 0L;
        var next = 0L;
        foreach (var row in ranges)
        {
            // Epoch 0: a stored position is the Kafka offset itself.
            var (first, last) = (row.GetInt64(0), row.GetInt64(1));
            Assert.True(first >= next, $"flush ranges overlap at offset {first}");
            stored += last - first + 1;
            next = last + 1;
        }

        var skipped = 0.0;
        await PlatformRig.Eventually(
            async () =>
            {
                var metrics = await _rig.Http.GetStringAsync($"http://127.0.0.1:{speed.Port}/metrics");
                skipped = PrometheusText.Sum(metrics, "lambda_speed_offsets_skipped_total", $"topic=\"{_rig.Topic}\"");
                return end - stored == skipped;
            },
            "the skipped offsets to be counted",
            Convergence,
            () => $"log end {end}: {stored} offsets stored in {ranges.Count} flush ranges, {skipped} counted as skipped\n{speed.Process.Tail}");
        output.WriteLine($"log end {end}: {stored} offsets stored in {ranges.Count} flush ranges, {skipped} counted as skipped");
        return skipped;
    }

    private static IEnumerable<byte[]> Cycle(IEnumerable<byte[]> events)
    {
        var all = events.ToList();
        while (true)
        {
            foreach (var value in all)
            {
                yield return value;
            }
        }
    }

    private async Task ProduceToPartitionZeroAsync(IEnumerable<byte[]> events, TimeSpan pause, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig { BootstrapServers = Bootstrap, LingerMs = 1, Acks = Acks.All };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        try
        {
            foreach (var value in events)
            {
                await producer.ProduceAsync(new TopicPartition(_rig.Topic, 0), new Message<Null, byte[]> { Value = value }, cancellationToken);
                await Task.Delay(pause, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The test has seen what it waited for.
        }
    }

    private async Task ProduceToPartitionZeroAsync(IReadOnlyList<byte[]> events)
    {
        var config = new ProducerConfig { BootstrapServers = Bootstrap, LingerMs = 5, Acks = Acks.All };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        foreach (var value in events)
        {
            await producer.ProduceAsync(new TopicPartition(_rig.Topic, 0), new Message<Null, byte[]> { Value = value });
        }
    }

    /// <summary>Waits until the speed table of the view holds partition 0 up to <paramref name="end"/> (exclusive, epoch 0).</summary>
    private async Task WaitForSpeedOffsetAsync((ServiceProcess Process, int Port) speed, long end, bool atLeast = false)
    {
        long stored = -1;
        await PlatformRig.Eventually(
            async () =>
            {
                speed.Process.EnsureRunning();
                try
                {
                    var tables = await _clickHouse.QueryRowsAsync(
                        $"SELECT name FROM system.tables WHERE database = {ClickHouseSql.QuoteString(_rig.Database)} AND name LIKE 'speed_revenue_by_country_%'",
                        null,
                        CancellationToken.None);
                    if (tables.Count == 0)
                    {
                        return false;
                    }

                    var max = await _clickHouse.QueryRowsAsync(
                        $"SELECT toInt64(max(last_offset)) FROM {ClickHouseSql.QuoteIdentifier(tables[0].GetString(0))} WHERE partition = 0",
                        null,
                        CancellationToken.None);
                    stored = max.Count == 0 ? -1 : max[0].GetInt64(0);
                    return atLeast ? stored + 1 >= end : stored + 1 == end;
                }
                catch (ClickHouseException ex) when (ex.ErrorCode == UnknownDatabase)
                {
                    // The speed layer creates the run's database when it starts.
                    return false;
                }
            },
            $"the speed table to hold partition 0 up to offset {end}",
            Convergence,
            () => $"stored up to {stored}\n{speed.Process.Tail}");
    }

    private Dictionary<string, string> Environment() => new(_rig.Environment())
    {
        ["Kafka__BootstrapServers"] = Bootstrap,

        // Stopped partitions are re-checked often, so the test sees the operator's new epoch taken quickly.
        ["Kafka__StoppedPartitionRecheck"] = "00:00:01",
    };

    private ServiceProcess StartSpeed() => StartSpeedWithPort().Process;

    private (ServiceProcess Process, int Port) StartSpeedWithPort()
    {
        var port = FreePort.Next();
        var process = _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(Environment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["SpeedLayer__GroupId"] = $"epochs-speed-{_rig.RunId}",
            // A SIGKILLed member keeps its partitions until its session expires; a short one lets the successor own them sooner.
            ["SpeedLayer__SessionTimeout"] = "00:00:10",
        });
        return (process, port);
    }

    private ServiceProcess StartArchiver() =>
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(Environment())
        {
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"epochs-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
        });

    /// <summary>The batch layer's server (archiver and <c>/readyz</c>), without the Hangfire server.</summary>
    private (ServiceProcess Process, int Port) StartBatchServer()
    {
        var port = FreePort.Next();
        var process = _rig.Start("batch-layer", "Lambda.BatchLayer", [], new(Environment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"epochs-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
            ["Batch__Schedule__ServerEnabled"] = "false",
            ["Batch__Dashboard__ApiKeys__0"] = "epochs-test-dashboard-key",
        });
        return (process, port);
    }

    private void StartServing()
    {
        var port = FreePort.Next();
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(Environment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Serving__ApiKeys__0__Key"] = QueryKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "query",
        });
        _serving = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        _serving.DefaultRequestHeaders.Add("X-Api-Key", QueryKey);
    }

    private async Task ProduceAsync(int from, int to)
    {
        var config = new ProducerConfig { BootstrapServers = Bootstrap, LingerMs = 5, Acks = Acks.All };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        for (var i = from; i < to; i++)
        {
            // Round robin, so each partition gets the same share of every range.
            await producer.ProduceAsync(new TopicPartition(_rig.Topic, i % Partitions), new Message<Null, byte[]> { Value = Events[i] });
        }
    }

    /// <summary>Count and revenue of the paid orders among the first <paramref name="count"/> events, from their JSON.</summary>
    private static (long Orders, decimal Revenue) Expected(int count)
    {
        long orders = 0;
        decimal revenue = 0;
        foreach (var json in Events.Take(count))
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.GetProperty("status").GetString() == "paid")
            {
                orders++;
                revenue += document.RootElement.GetProperty("amount").GetDecimal();
            }
        }

        return (orders, revenue);
    }

    private async Task<(long Orders, decimal Revenue, bool Batch)> ReadTotalsAsync()
    {
        var from = Uri.EscapeDataString(OrderStream.Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        var to = Uri.EscapeDataString(OrderStream.Start.AddDays(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        using var response = await _serving.GetAsync($"api/views/revenue_by_country?from={from}&to={to}&granularity=day");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"the serving API answered {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        long orders = 0;
        decimal revenue = 0;
        foreach (var row in document.RootElement.GetProperty("rows").EnumerateArray())
        {
            orders += row.GetProperty("orders").GetInt64();
            var value = row.GetProperty("revenue");
            revenue += value.ValueKind == JsonValueKind.String ? decimal.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDecimal();
        }

        var batch = document.RootElement.GetProperty("watermark").TryGetProperty("run_id", out var run) && run.ValueKind == JsonValueKind.String;
        return (orders, revenue, batch);
    }

    private async Task WaitForTotalsAsync(int count, string stage)
    {
        var expected = Expected(count);
        (long Orders, decimal Revenue, bool Batch) actual = default;
        await PlatformRig.Eventually(
            async () =>
            {
                EnsureRunning();
                actual = await TryReadTotalsAsync();
                return actual.Orders == expected.Orders && actual.Revenue == expected.Revenue;
            },
            $"{stage}: totals of {count} events ({expected.Orders} paid orders, revenue {expected.Revenue})",
            Convergence,
            () => $"the serving API answers {actual.Orders} orders, revenue {actual.Revenue}\n{Tails()}");
        output.WriteLine($"{stage}: {expected.Orders} orders, revenue {expected.Revenue}");
    }

    private async Task AssertTotalsAsync(int count, string stage, bool expectBatch)
    {
        var expected = Expected(count);
        var actual = await ReadTotalsAsync();
        Assert.True(actual.Batch == expectBatch, $"{stage}: the answer {(actual.Batch ? "was" : "was not")} merged with a batch view");
        Assert.True(
            actual.Orders == expected.Orders && actual.Revenue == expected.Revenue,
            $"{stage}: {actual.Orders} orders, revenue {actual.Revenue}; the events hold {expected.Orders} and {expected.Revenue}");
        output.WriteLine($"{stage}: {expected.Orders} orders, revenue {expected.Revenue}");
    }

    private async Task<(long Orders, decimal Revenue, bool Batch)> TryReadTotalsAsync()
    {
        try
        {
            return await ReadTotalsAsync();
        }
        catch (HttpRequestException)
        {
            // The serving layer is still starting.
            return default;
        }
    }

    /// <summary>
    /// Waits until the archive's commit log (<c>p&lt;partition&gt;-&lt;first&gt;-&lt;last&gt;.json</c>, positions: epoch in the bits
    /// above the low 44, Kafka offset in those) ends, on every partition, at <paramref name="perPartition"/> in <paramref name="epoch"/>.
    /// </summary>
    private async Task WaitForArchiveAsync(long epoch, long perPartition)
    {
        var commits = Path.Combine(_rig.Root, "master", "orders", "_commits");
        var ends = new Dictionary<int, (long Epoch, long Offset)>();
        await PlatformRig.Eventually(
            () =>
            {
                EnsureRunning();
                ends.Clear();
                foreach (var file in Directory.Exists(commits) ? Directory.EnumerateFiles(commits, "p*.json") : [])
                {
                    var parts = Path.GetFileNameWithoutExtension(file)[1..].Split('-');
                    var partition = int.Parse(parts[0], CultureInfo.InvariantCulture);
                    var last = long.Parse(parts[2], CultureInfo.InvariantCulture);
                    var end = (Epoch: last >> (int)OffsetBits, Offset: (last & ((1L << (int)OffsetBits) - 1)) + 1);
                    if (!ends.TryGetValue(partition, out var known) || end.CompareTo(known) > 0)
                    {
                        ends[partition] = end;
                    }
                }

                return Task.FromResult(Enumerable.Range(0, Partitions).All(p => ends.GetValueOrDefault(p) == (epoch, perPartition)));
            },
            $"the archive to end at offset {perPartition} of epoch {epoch} on every partition",
            Convergence,
            () => string.Join(", ", ends.OrderBy(e => e.Key).Select(e => $"p{e.Key}: epoch {e.Value.Epoch} offset {e.Value.Offset}")) + "\n" + Tails());
    }

    /// <summary>Waits until <c>/readyz</c> answers <paramref name="status"/> with the stopped-partitions check unhealthy or not.</summary>
    private async Task<string> WaitForReadinessAsync(
        (ServiceProcess Process, int Port) service, HttpStatusCode status, bool stoppedPartitions, IReadOnlyList<string>? mentions = null)
    {
        var body = "";
        var answered = (HttpStatusCode)0;
        await PlatformRig.Eventually(
            async () =>
            {
                service.Process.EnsureRunning();
                try
                {
                    using var response = await _rig.Http.GetAsync($"http://127.0.0.1:{service.Port}/readyz");
                    answered = response.StatusCode;
                    body = await response.Content.ReadAsStringAsync();
                    using var report = JsonDocument.Parse(body);
                    var offsets = report.RootElement.GetProperty("checks").GetProperty("kafka-offsets").GetProperty("status").GetString();
                    return answered == status
                        && (offsets == "unhealthy") == stoppedPartitions
                        && (mentions ?? []).All(text => body.Contains(text, StringComparison.Ordinal));
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            $"{service.Process.Name} /readyz to answer {(int)status}",
            Convergence,
            () => $"last answer {(int)answered}: {body}\n{service.Process.Tail}");
        output.WriteLine($"{service.Process.Name} /readyz {(int)status}: {body}");
        return body;
    }

    private async Task<IReadOnlyList<(long Epoch, string Reason)>> ReadEpochsAsync()
    {
        var rows = await _clickHouse.QueryRowsAsync(
            $"SELECT toInt64(epoch) AS epoch, any(reason) AS reason FROM kafka_offset_epochs WHERE topic = {ClickHouseSql.QuoteString(_rig.Topic)} GROUP BY epoch ORDER BY epoch",
            null,
            CancellationToken.None);
        return rows.Select(row => (row.GetInt64(0), row.GetString(1))).ToList();
    }

    private async Task RecomputeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], Environment(), TimeSpan.FromSeconds(120));
        output.WriteLine($"recompute took {started.Elapsed.TotalSeconds:F1} s");
    }

    private void EnsureRunning()
    {
        foreach (var service in _rig.Services)
        {
            service.EnsureRunning();
        }
    }

    private string Tails() => string.Join("\n", _rig.Services.Select(s => $"--- {s.Name}:\n{s.Tail}"));
}
