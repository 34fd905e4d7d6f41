using System.Net;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Telemetry;

/// <summary>
/// The three services, each its built executable on the local stack, scraped on <c>/metrics</c> before and after some
/// traffic (ingest through the API, one malformed record straight into Kafka, queries, a recompute, a compaction): every
/// metric the README lists is there and has moved. Names are the Prometheus names a scraper sees.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class MetricsScrapeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string QueryKey = "metrics-test-query-key";
    private const string AdminKey = "metrics-test-admin-key";
    private const string IngestKey = "metrics-test-ingest-key";
    private const string MetricsKey = "metrics-test-scrape-key-0123456789";
    private const int Partitions = 4;

    private PlatformRig _rig = null!;

    public async Task InitializeAsync() =>
        _rig = await PlatformRig.CreateAsync("metrics", Partitions, PlatformRig.RevenueByCountryCatalog, TimeSpan.FromSeconds(30));

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Every_listed_metric_is_scraped_from_every_service_with_a_value_that_moved()
    {
        var environment = Environment();
        var (speedPort, batchPort, servingPort, servingMetricsPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        var speed = _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{speedPort}",
            ["SpeedLayer__GroupId"] = $"metrics-speed-{_rig.RunId}",
            ["SpeedLayer__FlushInterval"] = "00:00:00.200",
        });
        var batch = _rig.Start("batch-layer", "Lambda.BatchLayer", ["serve"], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{batchPort}",
            ["Batch__Archiver__Enabled"] = "true",
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"metrics-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:00.500",
            ["Batch__Schedule__RecurringJobEnabled"] = "false",
            ["Batch__Schedule__SchedulePollingInterval"] = "00:00:01",
            ["Batch__Schedule__QueuePollInterval"] = "00:00:01",
            ["Batch__Compaction__Cron"] = "* * * * *",
            ["Batch__Compaction__MinAge"] = "00:00:00",
            ["Batch__Compaction__FlushToDisk"] = "false",
            ["Batch__DatasetStats__Interval"] = "00:00:01",
            ["Batch__Dashboard__ApiKeys__0"] = AdminKey,
        });
        var serving = _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{servingPort}",
            ["Telemetry__MetricsPort"] = servingMetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Serving__ApiKeys__0__Key"] = QueryKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "query",
            ["Serving__ApiKeys__1__Key"] = AdminKey,
            ["Serving__ApiKeys__1__Scopes__0"] = "admin",
            ["Serving__ApiKeys__2__Key"] = IngestKey,
            ["Serving__ApiKeys__2__Scopes__0"] = "ingest",
            ["Serving__Alerts__EvaluationInterval"] = "00:00:01",
            ["Serving__Alerts__Rules__0__Name"] = "orders_seen",
            ["Serving__Alerts__Rules__0__View"] = "revenue_by_country",
            ["Serving__Alerts__Rules__0__Measure"] = "orders",
            ["Serving__Alerts__Rules__0__Window"] = "1.00:00:00",
            ["Serving__Alerts__Rules__0__Condition"] = ">",
            ["Serving__Alerts__Rules__0__Threshold"] = "0",
        });

        var speedMetrics = new Uri($"http://127.0.0.1:{speedPort}/metrics");
        var batchMetrics = new Uri($"http://127.0.0.1:{batchPort}/metrics");
        var servingMetrics = new Uri($"http://127.0.0.1:{servingMetricsPort}/metrics");
        var before = new Dictionary<string, string>
        {
            ["speed"] = await ScrapeWhenUpAsync(speedMetrics, speed),
            ["batch"] = await ScrapeWhenUpAsync(batchMetrics, batch),
            ["serving"] = await ScrapeWhenUpAsync(servingMetrics, serving),
        };

        // The serving layer's API port does not answer /metrics (it is bound to its own port), and the key is required.
        Assert.Equal(HttpStatusCode.NotFound, (await _rig.Http.GetAsync(new Uri($"http://127.0.0.1:{servingPort}/metrics"))).StatusCode);
        using (var anonymous = new HttpRequestMessage(HttpMethod.Get, servingMetrics))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _rig.Http.SendAsync(anonymous)).StatusCode);
        }

        await WaitForSpeedAssignmentAsync(speedMetrics, speed);
        var today = DateTime.UtcNow;
        await IngestAsync(servingPort, today, 40);
        await ProduceMalformedAsync();

        // Compaction merges two or more commits of a partition: a second batch after the first commit gives every
        // partition a second one, whatever the archiver's flush timing made of the first.
        await PlatformRig.Eventually(
            async () => Moved(before["batch"], await ScrapeAsync(batchMetrics), "lambda_archiver_commits_total"),
            "the archiver's first commit",
            TimeSpan.FromSeconds(60));
        await IngestAsync(servingPort, today, 40);

        var query = $"http://127.0.0.1:{servingPort}/api/views/revenue_by_country?from={today:yyyy-MM-dd}T00:00:00Z&to={today.AddDays(1):yyyy-MM-dd}T00:00:00Z&granularity=all&group_by=country";
        await PlatformRig.Eventually(async () => (await QueryAsync(query)).Contains("\"orders\":", StringComparison.Ordinal), "the ingested orders to be visible", TimeSpan.FromSeconds(60));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => QueryAsync(query)));
        using (var tooLong = new HttpRequestMessage(
            HttpMethod.Get, $"http://127.0.0.1:{servingPort}/api/views/revenue_by_country?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&granularity=minute"))
        {
            // Beyond Serving:Limits:MaxRangeMinute (31 days by default).
            tooLong.Headers.Add("X-Api-Key", QueryKey);
            var response = await _rig.Http.SendAsync(tooLong);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var recompute = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{servingPort}/api/admin/batch/recompute"))
        {
            recompute.Headers.Add("X-Api-Key", AdminKey);
            var response = await _rig.Http.SendAsync(recompute);
            Assert.True(response.IsSuccessStatusCode, $"recompute answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var moved = new Dictionary<string, (Uri Url, ServiceProcess Process, string[] Names)>
        {
            ["speed"] = (speedMetrics, speed,
            [
                "lambda_speed_events_total", "lambda_speed_flushes_total", "lambda_speed_flush_rows_total", "lambda_speed_dead_letters_total",
                "lambda_speed_flush_latency_seconds_count", "lambda_speed_insert_duration_seconds_count", "lambda_speed_freshness_seconds_count",
                "lambda_speed_freshness_seconds_sum", "lambda_speed_assigned_partitions", "lambda_speed_events_per_second",
            ]),
            ["batch"] = (batchMetrics, batch,
            [
                "lambda_archiver_events_archived_total", "lambda_archiver_events_invalid_total", "lambda_archiver_files_total",
                "lambda_archiver_commits_total", "lambda_archiver_flush_duration_seconds_count", "lambda_batch_recompute_duration_seconds_count",
                "lambda_batch_recompute_rows_total", "lambda_batch_recompute_last_state", "lambda_batch_recompute_last_success_age_seconds",
                "lambda_batch_compaction_records_total", "lambda_batch_compaction_duration_seconds_count", "lambda_batch_dataset_files",
                "lambda_batch_dataset_size_bytes", "lambda_drift_audits_total",
            ]),
            ["serving"] = (servingMetrics, serving,
            [
                "lambda_serving_ingest_accepted_total", "lambda_serving_ingest_rejected_total", "lambda_serving_query_duration_seconds_count",
                "lambda_serving_query_computations_total", "lambda_serving_query_shared_ratio", "lambda_serving_alert_firing",
                "lambda_serving_alert_transitions_total", "lambda_serving_query_refused_total", "http_server_request_duration_seconds_count",
            ]),
        };

        // Present after the traffic (a gauge may legitimately read 0, e.g. a lag that was caught up).
        var present = new Dictionary<string, string[]>
        {
            ["speed"] = ["lambda_speed_consumer_lag", "lambda_speed_paused", "lambda_kafka_epoch"],
            ["batch"] = ["lambda_archiver_lag", "lambda_kafka_epoch", "lambda_drift_differences"],
            ["serving"] = ["lambda_serving_alert_leader"],
        };

        foreach (var (service, (url, process, names)) in moved)
        {
            string after = "";
            string[] still = names;
            // The compaction runs at the next full minute (Hangfire cron), so the batch layer may need over a minute.
            await PlatformRig.Eventually(
                async () =>
                {
                    after = await ScrapeAsync(url);
                    still = names.Where(name => !Moved(before[service], after, name)).ToArray();
                    return still.Length == 0;
                },
                $"every {service} metric to move",
                TimeSpan.FromSeconds(100),
                () => $"not moved: {string.Join(", ", still)}\n{process.Tail}\n--- scrape ---\n{after}");

            foreach (var name in present.GetValueOrDefault(service, []))
            {
                Assert.True(PrometheusText.Samples(after, name).Count > 0, $"{service}: {name} missing from the scrape:\n{after}");
            }

            output.WriteLine($"{service}: {names.Length} metrics moved");
        }

        var servingAfter = await ScrapeAsync(servingMetrics);
        Assert.Equal(1, PrometheusText.Sum(servingAfter, "lambda_serving_alert_firing", "rule=\"orders_seen\""));
        Assert.Equal(1, PrometheusText.Sum(servingAfter, "lambda_serving_alert_leader"));
        Assert.Equal(80, PrometheusText.Sum(servingAfter, "lambda_serving_ingest_accepted_total", "source=\"orders\""));
        Assert.Equal(4, PrometheusText.Sum(servingAfter, "lambda_serving_ingest_rejected_total", "source=\"orders\"", "reason=\"missing_field\""));
        Assert.Equal(1, PrometheusText.Sum(servingAfter, "lambda_serving_query_refused_total", "limit=\"range\""));
        var shared = PrometheusText.Sum(servingAfter, "lambda_serving_query_shared_ratio", "view=\"revenue_by_country\"");
        Assert.InRange(shared, 0.01, 1);
    }

    private static bool Moved(string before, string after, string name)
    {
        var now = PrometheusText.Samples(after, name);
        if (now.Count == 0)
        {
            return false;
        }

        var then = PrometheusText.Samples(before, name).ToDictionary(s => s.Labels, s => s.Value);
        return now.Any(s => !then.TryGetValue(s.Labels, out var old) ? s.Value != 0 || name.EndsWith("_last_state", StringComparison.Ordinal) || name.EndsWith("_per_second", StringComparison.Ordinal) : s.Value != old);
    }

    private async Task IngestAsync(int servingPort, DateTime day, int valid)
    {
        var body = new StringBuilder();
        for (var i = 0; i < valid; i++)
        {
            body.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"ts":"{{day:yyyy-MM-dd}}T00:{{i % 60:00}}:00Z","order_id":"o-{{i}}","user_id":"u-{{i % 7}}","country":"{{(i % 2 == 0 ? "US" : "DE")}}","amount":{{10 + i}}.50,"status":"paid"}""").Append('\n');
        }

        // Two records without a user_id: rejected by the API with reason missing_field.
        body.Append($$"""{"ts":"{{day:yyyy-MM-dd}}T01:00:00Z","order_id":"bad-1","country":"US","amount":1.00,"status":"paid"}""").Append('\n');
        body.Append($$"""{"ts":"{{day:yyyy-MM-dd}}T01:00:00Z","order_id":"bad-2","country":"US","amount":1.00,"status":"paid"}""").Append('\n');
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{servingPort}/api/events/orders")
        {
            Content = new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"),
        };
        request.Headers.Add("X-Api-Key", IngestKey);
        var response = await _rig.Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    // Straight into Kafka (the API would reject it): the speed layer dead-letters it, the archiver counts it invalid.
    private async Task ProduceMalformedAsync()
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = _rig.Stack.KafkaBootstrap }).Build();
        await producer.ProduceAsync(new TopicPartition(_rig.Topic, 0), new Message<Null, byte[]> { Value = "not json"u8.ToArray() });
    }

    private Task<string> QueryAsync(string url) => GetAsync(new Uri(url), QueryKey);

    private Task<string> ScrapeAsync(Uri url) => GetAsync(url, MetricsKey);

    private async Task<string> GetAsync(Uri url, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Api-Key", key);
        var response = await _rig.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    private async Task<string> ScrapeWhenUpAsync(Uri url, ServiceProcess process)
    {
        string text = "";
        await PlatformRig.Eventually(
            async () =>
            {
                try
                {
                    text = await ScrapeAsync(url);
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            $"{url} to answer",
            TimeSpan.FromSeconds(60),
            () => process.Tail);
        return text;
    }

    private async Task WaitForSpeedAssignmentAsync(Uri url, ServiceProcess process) =>
        await PlatformRig.Eventually(
            async () => PrometheusText.Sum(await ScrapeAsync(url), "lambda_speed_assigned_partitions") >= Partitions,
            "the speed layer to be assigned the topic's partitions",
            TimeSpan.FromSeconds(60),
            () => process.Tail);


    private Dictionary<string, string> Environment() => new(_rig.Environment())
    {
        ["Batch__Schedule__HangfireSchema"] = $"hangfire_m_{_rig.RunId}",
        ["Serving__HangfireSchema"] = $"hangfire_m_{_rig.RunId}",
        ["Telemetry__MetricsApiKey"] = MetricsKey,
    };
}
