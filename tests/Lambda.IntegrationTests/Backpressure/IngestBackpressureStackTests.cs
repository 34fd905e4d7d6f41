using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Testing;
using Npgsql;

namespace Lambda.IntegrationTests.Backpressure;

/// <summary>
/// The built batch and serving layers on the local stack: a backlog waits in Kafka before the archiver starts, with a
/// limit of 50 messages per partition (a tiny retention share), so the archiver starts far behind. The batch layer's
/// /healthz says degraded, the serving layer's ingest answers 503 with Retry-After and problem details, and both recover
/// once the archiver has caught up.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class IngestBackpressureStackTests : IAsyncLifetime
{
    private const string IngestKey = "backpressure-test-ingest-key";
    private const string AdminKey = "backpressure-test-admin-key";
    private const int Partitions = 2;
    private const int Backlog = 8_000;
    private const int RetryAfterSeconds = 7;

    private PlatformRig _rig = null!;

    public async Task InitializeAsync() =>
        _rig = await PlatformRig.CreateAsync("backpressure", Partitions, PlatformRig.RevenueByCountryCatalog, TimeSpan.FromSeconds(30));

    public async Task DisposeAsync()
    {
        await using (var database = NpgsqlDataSource.Create(_rig.Stack.PostgresConnectionString))
        {
            await using var command = database.CreateCommand("DELETE FROM archiver_lag WHERE topic = @topic");
            command.Parameters.AddWithValue("topic", _rig.Topic);
            await command.ExecuteNonQueryAsync();
        }

        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task An_archiver_beyond_its_share_of_retention_degrades_batch_health_and_turns_ingest_into_503_with_Retry_After_until_it_caught_up()
    {
        var environment = new Dictionary<string, string>(_rig.Environment())
        {
            ["Batch__Schedule__HangfireSchema"] = $"hangfire_bp_{_rig.RunId}",
            ["Serving__HangfireSchema"] = $"hangfire_bp_{_rig.RunId}",
        };
        var (batchPort, servingPort) = (FreePort.Next(), FreePort.Next());
        var serving = _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{servingPort}",
            ["Serving__ApiKeys__0__Key"] = IngestKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "ingest",
            ["Serving__ApiKeys__1__Key"] = AdminKey,
            ["Serving__ApiKeys__1__Scopes__0"] = "admin",
            ["Serving__IngestBackpressure__PollInterval"] = "00:00:00.100",
            ["Serving__IngestBackpressure__RetryAfterSeconds"] = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture),
        });
        await PlatformRig.Eventually(async () => await IngestAsync(servingPort) == HttpStatusCode.Accepted, "the serving layer to accept ingest", TimeSpan.FromSeconds(60), () => serving.Tail);

        await ProduceBacklogAsync();
        var batch = _rig.Start("batch-layer", "Lambda.BatchLayer", ["serve"], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{batchPort}",
            ["Batch__Archiver__Enabled"] = "true",
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"backpressure-{_rig.RunId}",
            // Small flushes: the archiver works through the backlog in ~200 commits, each reporting a lag far beyond 50 (a few
            // seconds on a quiet dev broker; minutes on a busy one, whose offset commits can take a second each).
            ["Batch__Archiver__MaxBatchEvents"] = "40",
            ["Batch__Archiver__FlushInterval"] = "00:00:00.100",
            ["Batch__Archiver__RetainedMessagesPerPartition"] = "100",
            ["Batch__Archiver__MaxLagShareOfRetention"] = "0.5",
            ["Batch__Archiver__LagReportInterval"] = "00:00:00.100",
            ["Batch__Schedule__RecurringJobEnabled"] = "false",
            ["Batch__Compaction__RecurringJobEnabled"] = "false",
            ["Batch__Dashboard__ApiKeys__0"] = AdminKey,
        });

        // Both while the archiver works through the backlog: polled together, as that may take only a few seconds.
        string? degraded = null;
        HttpResponseMessage? refused = null;
        var health = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (degraded is null || refused is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for degraded health ({degraded is not null}) and a 503 ({refused is not null})\n{health}\n{serving.Tail}\n{batch.Tail}");
            health = await BatchHealthAsync(batchPort);
            if (degraded is null && health.Contains("\"degraded\"", StringComparison.Ordinal))
            {
                degraded = health;
            }

            if (refused is null)
            {
                var response = await SendIngestAsync(servingPort);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    refused = response;
                }
                else
                {
                    response.Dispose();
                }
            }

            await Task.Delay(20);
        }

        Assert.Contains("more than 50 messages behind", degraded, StringComparison.Ordinal);
        using (refused)
        {
            Assert.Equal(TimeSpan.FromSeconds(RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Matches(@"archiver is \d+ messages behind on partition \d+ \(limit 50\)", problem.GetProperty("detail").GetString());
        }

        await PlatformRig.Eventually(
            async () => await IngestAsync(servingPort) == HttpStatusCode.Accepted && (health = await BatchHealthAsync(batchPort)).Contains("\"status\":\"healthy\"", StringComparison.Ordinal),
            "the archiver to catch up: ingest accepted and health healthy again",
            TimeSpan.FromSeconds(300),
            () => $"{health}\n{batch.Tail}");
    }

    private async Task ProduceBacklogAsync()
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _rig.Stack.KafkaBootstrap, LingerMs = 5 }).Build();
        for (var i = 0; i < Backlog; i++)
        {
            producer.Produce(
                new TopicPartition(_rig.Topic, i % Partitions),
                new Message<string, string> { Key = $"u-{i % 97}", Value = Order(i) });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
    }

    private static string Order(int i) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"ts":"2026-11-25T10:{{i % 60:00}}:00Z","order_id":"bp-{{i}}","user_id":"u-{{i % 97}}","country":"US","amount":1.00,"status":"paid"}""");

    private async Task<HttpStatusCode> IngestAsync(int servingPort)
    {
        try
        {
            using var response = await SendIngestAsync(servingPort);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private Task<HttpResponseMessage> SendIngestAsync(int servingPort)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{servingPort}/api/events/orders")
        {
            Content = new StringContent($"[{Order(Backlog)}]", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", IngestKey);
        return _rig.Http.SendAsync(request);
    }

    private async Task<string> BatchHealthAsync(int batchPort)
    {
        try
        {
            return await _rig.Http.GetStringAsync(new Uri($"http://127.0.0.1:{batchPort}/healthz"));
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
    }
}
