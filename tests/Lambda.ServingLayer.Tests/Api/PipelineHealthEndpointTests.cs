using System.Net;
using System.Text.Json;
using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Pipeline;
using Lambda.ServingLayer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.ServingLayer.Tests.Api;

public sealed class PipelineHealthEndpointTests(ServingAppFactory factory) : IClassFixture<ServingAppFactory>
{
    private const string Path = "/api/health/pipeline";

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(ServingAppFactory.IngestKey, HttpStatusCode.Forbidden)]
    [InlineData(ServingAppFactory.AdminKey, HttpStatusCode.Forbidden)]
    public async Task Without_the_query_scope_the_answer_is_a_problem(string? key, HttpStatusCode status)
    {
        using var client = factory.CreateClient(key);

        using var response = await client.GetAsync(Path);

        await ProblemAssert.ReadAsync(response, status);
    }

    [Fact]
    public async Task With_the_query_scope_every_source_is_listed_with_its_samples_breaches_and_the_settings_in_snake_case()
    {
        var history = factory.Services.GetRequiredService<PipelineHealthHistory>();
        var time = DateTimeOffset.UtcNow;
        history.Add("payments", new PipelineSample(time.AddSeconds(-15), null, 10, 5, TimeSpan.Zero));
        history.Add("payments", new PipelineSample(time, 12.5, 200_000, null, TimeSpan.FromSeconds(90)));
        history.SetRecompute(new RecomputeReading(time, new BatchRun("run-3", "incremental", null, null, "succeeded", null, time.AddHours(-30), time.AddHours(-29), 7, 7, null), false));
        using var client = factory.CreateClient(ServingAppFactory.QueryKey);

        using var response = await client.GetAsync(Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["now", "sample_interval_seconds", "history_seconds", "thresholds", "last_recompute", "sources"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(15, body.GetProperty("sample_interval_seconds").GetDouble());
        Assert.Equal(3600, body.GetProperty("history_seconds").GetDouble());

        // The documented defaults.
        var thresholds = body.GetProperty("thresholds");
        Assert.Equal(100_000, thresholds.GetProperty("max_speed_lag").GetInt64());
        Assert.Equal(1_000_000, thresholds.GetProperty("max_archiver_lag").GetInt64());
        Assert.Equal(60, thresholds.GetProperty("max_freshness_seconds").GetDouble());
        Assert.Equal(26 * 3600, thresholds.GetProperty("max_recompute_age_seconds").GetDouble());

        var recompute = body.GetProperty("last_recompute");
        Assert.Equal("run-3", recompute.GetProperty("run_id").GetString());
        Assert.Equal(3600, recompute.GetProperty("duration_seconds").GetDouble());
        Assert.True(recompute.GetProperty("age_seconds").GetDouble() >= 29 * 3600);
        Assert.True(recompute.GetProperty("breached").GetBoolean());
        Assert.EndsWith("Z", recompute.GetProperty("started_at").GetString(), StringComparison.Ordinal);

        var sources = body.GetProperty("sources").EnumerateArray().ToArray();
        Assert.Equal(["orders", "payments", "page_views", "sensor_readings"], sources.Select(s => s.GetProperty("source").GetString()));
        var payments = sources[1];
        Assert.Equal("payments", payments.GetProperty("topic").GetString());
        var samples = payments.GetProperty("samples").EnumerateArray().ToArray();
        Assert.Equal(2, samples.Length);
        Assert.Equal(["time", "events_per_second", "speed_lag", "archiver_lag", "freshness_seconds"], samples[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, samples[0].GetProperty("events_per_second").ValueKind);
        Assert.Equal(12.5, samples[1].GetProperty("events_per_second").GetDouble());
        Assert.Equal(200_000, samples[1].GetProperty("speed_lag").GetInt64());
        Assert.Equal(JsonValueKind.Null, samples[1].GetProperty("archiver_lag").ValueKind);
        Assert.Equal(90, samples[1].GetProperty("freshness_seconds").GetDouble());
        var breached = payments.GetProperty("breached");
        Assert.True(breached.GetProperty("speed_lag").GetBoolean());
        Assert.False(breached.GetProperty("archiver_lag").GetBoolean());
        Assert.True(breached.GetProperty("freshness").GetBoolean());
        Assert.Empty(sources[3].GetProperty("samples").EnumerateArray());
    }

    [Fact]
    public async Task The_endpoint_is_in_the_openapi_document()
    {
        using var client = factory.CreateClient(apiKey: null);

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        Assert.True(document.GetProperty("paths").TryGetProperty(Path, out var path));
        var get = path.GetProperty("get");
        Assert.Equal("query", get.GetProperty("security")[0].GetProperty("ApiKey")[0].GetString());
        Assert.True(get.GetProperty("responses").TryGetProperty("403", out _));
        Assert.True(get.GetProperty("responses").TryGetProperty("200", out _));
    }
}
