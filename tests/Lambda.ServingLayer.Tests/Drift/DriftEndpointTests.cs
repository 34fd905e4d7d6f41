using System.Net;
using System.Text.Json;
using Lambda.ServingLayer.Drift;
using Lambda.ServingLayer.Tests.Support;

namespace Lambda.ServingLayer.Tests.Drift;

public sealed class DriftEndpointTests : IClassFixture<ServingAppFactory>
{
    private static readonly DateTime Audited = new(2026, 11, 26, 2, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Bucket = new(2026, 11, 25, 10, 7, 0, DateTimeKind.Utc);
    private readonly ServingAppFactory _factory;
    private readonly HttpClient _client;

    public DriftEndpointTests(ServingAppFactory factory)
    {
        _factory = factory;
        _client = factory.CreateClient(ServingAppFactory.AdminKey);
        var audit = Guid.CreateVersion7();
        lock (factory.Drift)
        {
            if (factory.Drift.Audits.Count == 0)
            {
                factory.Drift.Audits.Add(new DriftAuditRecord(
                    audit, "run-2", "revenue_by_country", "hash", Json("{\"0\":{\"from\":10,\"to\":20}}"), "drift", 1, 5, 5, null, null, Audited));
                factory.Drift.Differences.Add(new DriftDifferenceRecord(
                    audit, "run-2", "revenue_by_country", Bucket, Json("{\"country\":\"US\"}"), "orders", Json("3"), Json("4"), Audited));
            }
        }
    }

    [Fact]
    public async Task The_audits_and_differences_show_view_bucket_group_measure_and_both_values()
    {
        using var response = await _client.GetAsync("/api/admin/drift?view=revenue_by_country&from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&limit=5");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var audit = Assert.Single(root.GetProperty("audits").EnumerateArray());
        Assert.Equal("drift", audit.GetProperty("outcome").GetString());
        Assert.Equal("run-2", audit.GetProperty("run_id").GetString());
        Assert.Equal(JsonValueKind.Null, audit.GetProperty("reference_version").ValueKind);
        Assert.Equal(20, audit.GetProperty("ranges").GetProperty("0").GetProperty("to").GetInt32());
        var difference = Assert.Single(root.GetProperty("differences").EnumerateArray());
        Assert.Equal("revenue_by_country", difference.GetProperty("view").GetString());
        Assert.Equal("2026-11-25T10:07:00Z", difference.GetProperty("bucket").GetString());
        Assert.Equal("US", difference.GetProperty("group").GetProperty("country").GetString());
        Assert.Equal("orders", difference.GetProperty("measure").GetString());
        Assert.Equal(3, difference.GetProperty("speed_value").GetInt32());
        Assert.Equal(4, difference.GetProperty("batch_value").GetInt32());
        Assert.Equal(
            ("revenue_by_country", new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 25, 11, 0, 0, TimeSpan.Zero), 5),
            (_factory.Drift.LastDifferenceQuery!.Value.View, _factory.Drift.LastDifferenceQuery.Value.From!.Value, _factory.Drift.LastDifferenceQuery.Value.To!.Value, _factory.Drift.LastDifferenceQuery.Value.Limit));
    }

    [Fact]
    public async Task Without_parameters_every_view_and_bucket_is_listed()
    {
        using var response = await _client.GetAsync("/api/admin/drift");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((null, null, null, 100), _factory.Drift.LastDifferenceQuery);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Single(root.GetProperty("differences").EnumerateArray());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("view=nope", "view")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01", "to")]
    [InlineData("from=2026-11-26&to=2026-11-25", "to")]
    [InlineData("from=2026-11-25&to=2026-11-25", "to")]
    [InlineData("view=revenue_by_country&view=revenue_by_country", "view")]
    [InlineData("bucket=2026-11-25", "bucket")]
    public async Task Bad_parameters_are_refused_naming_the_parameter(string query, string parameter)
    {
        using var response = await _client.GetAsync("/api/admin/drift?" + query);

        await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.BadRequest, parameter);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
