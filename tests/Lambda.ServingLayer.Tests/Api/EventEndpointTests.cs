using System.Net;
using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.Tests.Support;

namespace Lambda.ServingLayer.Tests.Api;

public sealed class EventEndpointTests : IClassFixture<ServingAppFactory>
{
    private readonly ServingAppFactory _factory;
    private readonly HttpClient _client;

    public EventEndpointTests(ServingAppFactory factory)
    {
        _factory = factory;
        _factory.Publisher.Failure = null;
        _factory.Publisher.Gate = null;
        _factory.Publisher.Published.Clear();
        _client = factory.CreateClient(ServingAppFactory.IngestKey);
    }

    [Fact]
    public async Task Accepted_records_go_to_the_sources_topic_as_sent_and_rejected_ones_come_back_one_by_one()
    {
        var good1 = Orders.Json(0, "US", 12.50m, "alice");
        var good2 = Orders.Json(1, "DE", 7m, "bob");
        var body = $$"""[{{good1}}, {"ts":"2026-11-25T10:00:00Z","order_id":"x","user_id":"u","country":"US","amount":"12.50","status":"paid"}, {{good2}}, 17, {"order_id":"y"}]""";

        using var response = await _client.PostAsync("/api/events/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(3, result.GetProperty("rejected").GetInt32());
        var errors = result.GetProperty("errors").EnumerateArray().ToArray();
        Assert.Equal([1, 3, 4], errors.Select(e => e.GetProperty("index").GetInt32()));
        Assert.Equal(["wrong_type", "not_an_object", "missing_field"], errors.Select(e => e.GetProperty("code").GetString()));
        Assert.Equal("amount", errors[0].GetProperty("field").GetString());
        Assert.Contains("amount", errors[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, errors[1].GetProperty("field").ValueKind);
        Assert.Equal("ts", errors[2].GetProperty("field").GetString());

        var published = _factory.Publisher.Published.ToArray();
        Assert.All(published, p => Assert.Equal("orders", p.Topic));
        Assert.Equal([good1, good2], published.Select(p => Encoding.UTF8.GetString(p.Event.Value)));
        Assert.Equal(["alice", "bob"], published.Select(p => Encoding.UTF8.GetString(p.Event.Key!)));
    }

    [Fact]
    public async Task Ndjson_lines_are_records_and_a_broken_line_is_only_that_records_rejection()
    {
        var body = Orders.Json(0, "US", 1m) + "\n\n{\"ts\": broken\n" + Orders.Json(1, "FR", 2m) + "\r\n";

        using var response = await _client.PostAsync("/api/events/orders", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Equal("not_json", error.GetProperty("code").GetString());
        Assert.Equal(2, _factory.Publisher.Published.Count);
    }

    [Fact]
    public async Task The_answer_waits_until_kafka_acknowledged_the_records()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _factory.Publisher.Gate = gate;

        var post = _client.PostAsync("/api/events/orders", new StringContent("[" + Orders.Json(0, "US", 1m) + "]", Encoding.UTF8, "application/json"));
        await _factory.Publisher.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);

        Assert.False(post.IsCompleted);
        Assert.Empty(_factory.Publisher.Published);
        gate.SetResult();
        using var response = await post.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(_factory.Publisher.Published);
    }

    [Fact]
    public async Task Kafka_not_acknowledging_is_503_naming_Kafka_with_a_correlation_id_and_no_exception_text()
    {
        _factory.Publisher.Failure = new EventPublishException("orders", 0, 1, "Local_MsgTimedOut: Message timed out");

        using var response = await _client.PostAsync("/api/events/orders", new StringContent("[" + Orders.Json(0, "US", 1m) + "]", Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        var detail = problem.GetProperty("detail").GetString();
        Assert.StartsWith("Kafka is not available", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Message timed out", detail, StringComparison.Ordinal);
        var correlationId = problem.GetProperty("correlationId").GetString();
        Assert.False(string.IsNullOrEmpty(correlationId));
        Assert.Contains($"correlation id {correlationId}", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/events/refunds", "[]", "application/json", HttpStatusCode.NotFound, "source")]
    [InlineData("/api/events/orders", "[]", "text/plain", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    [InlineData("/api/events/orders", "<xml/>", "application/xml", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    [InlineData("/api/events/orders", "", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("/api/events/orders", "[{\"ts\":1},", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("/api/events/orders", "\"hello\"", "application/json", HttpStatusCode.BadRequest, "body")]
    public async Task A_body_that_is_neither_array_nor_ndjson_is_refused_and_nothing_is_published(
        string path, string body, string contentType, HttpStatusCode status, string parameter)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        using var response = await _client.PostAsync(path, content);

        await ProblemAssert.ReadNamingAsync(response, status, parameter);
        Assert.Empty(_factory.Publisher.Published);
    }

    [Fact]
    public async Task Too_many_records_or_bytes_is_413()
    {
        var many = "[" + string.Join(",", Enumerable.Repeat(Orders.Json(0, "US", 1m), ServingAppFactory.MaxIngestRecords + 1)) + "]";
        var large = "[" + Orders.Json(0, "US", 1m) + new string(' ', ServingAppFactory.MaxIngestBytes) + "]";

        using var tooMany = await _client.PostAsync("/api/events/orders", new StringContent(many, Encoding.UTF8, "application/json"));
        using var tooLarge = await _client.PostAsync("/api/events/orders", new StringContent(large, Encoding.UTF8, "application/json"));

        await ProblemAssert.ReadNamingAsync(tooMany, HttpStatusCode.RequestEntityTooLarge, "body");
        await ProblemAssert.ReadNamingAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "body");
        Assert.Empty(_factory.Publisher.Published);
    }
}
