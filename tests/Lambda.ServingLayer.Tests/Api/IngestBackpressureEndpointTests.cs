using System.Net;
using System.Text;
using Lambda.ServingLayer.Endpoints;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Batch;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.ServingLayer.Tests.Api;

public sealed class IngestBackpressureEndpointTests : IClassFixture<ServingAppFactory>
{
    private readonly ServingAppFactory _factory;
    private readonly HttpClient _client;
    private readonly IngestGate _gate;

    public IngestBackpressureEndpointTests(ServingAppFactory factory)
    {
        _factory = factory;
        _factory.Publisher.Failure = null;
        _factory.Publisher.Gate = null;
        _factory.Publisher.Published.Clear();
        _client = factory.CreateClient(ServingAppFactory.IngestKey);
        _gate = factory.Services.GetRequiredService<IngestGate>();
    }

    [Fact]
    public async Task While_the_archiver_of_the_sources_topic_is_behind_ingest_answers_503_with_Retry_After_and_publishes_nothing()
    {
        // The monitor polls the same fake, so it keeps the gate as the test sets it.
        Report([new ArchiverLagReport("lambda-archiver-orders", "orders", 5, "orders", 12_600, 12_500)]);

        using var response = await _client.PostAsync("/api/events/orders", new StringContent($"[{Orders.Json(0, "US", 1m)}]", Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(ServingAppFactory.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal(ServingAppFactory.RetryAfterSeconds, problem.GetProperty(EventEndpoints.RetryAfterExtension).GetInt32());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("'orders'", detail, StringComparison.Ordinal);
        Assert.Contains("12600 messages behind on partition 5 (limit 12500)", detail, StringComparison.Ordinal);
        Assert.Empty(_factory.Publisher.Published);
    }

    [Fact]
    public async Task Another_sources_ingest_and_the_same_source_after_the_archiver_caught_up_are_accepted()
    {
        Report([new ArchiverLagReport("lambda-archiver-payments", "payments", 0, "payments", 30_000, 12_500)]);

        using (var orders = await _client.PostAsync("/api/events/orders", new StringContent($"[{Orders.Json(0, "US", 1m)}]", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, orders.StatusCode);
        }

        Report([new ArchiverLagReport("lambda-archiver-orders", "orders", 5, "orders", 12_500, 12_500)]);
        using (var again = await _client.PostAsync("/api/events/orders", new StringContent($"[{Orders.Json(1, "DE", 2m)}]", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            Assert.Null(again.Headers.RetryAfter);
        }

        Assert.Equal(2, _factory.Publisher.Published.Count);
    }

    [Fact]
    public async Task An_unknown_source_is_still_a_404_and_a_missing_key_a_401_while_ingest_is_refused()
    {
        Report([new ArchiverLagReport("lambda-archiver-orders", "orders", 0, "orders", 99_999, 1)]);

        using var unknown = await _client.PostAsync("/api/events/nope", new StringContent("[]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var anonymous = await _factory.CreateClient(apiKey: null).PostAsync("/api/events/orders", new StringContent("[]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private void Report(IReadOnlyList<ArchiverLagReport> reports)
    {
        _factory.ArchiverLag.Reports = reports;
        _gate.Update(reports);
    }
}
