using System.Net;
using System.Text.Json;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary><c>/readyz</c> asks Kafka, ClickHouse and PostgreSQL; <c>/healthz</c> only says the process answers.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ReadinessTests
{
    [Fact]
    public async Task Ready_when_kafka_clickhouse_and_postgres_answer()
    {
        await using var app = new StackAppFactory(new Dictionary<string, string?>());
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/readyz");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var checks = JsonDocument.Parse(body).RootElement.GetProperty("checks");
        Assert.Equal(["clickhouse", "kafka", "postgres"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("healthy", c.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Not_ready_naming_the_dependency_that_is_away_without_its_address_or_exception_while_still_alive()
    {
        await using var app = new StackAppFactory(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=lambda;Timeout=2",
            ["Serving:ReadinessTimeout"] = "00:00:01",
        });
        using var client = app.CreateClient();

        using var ready = await client.GetAsync("/readyz");
        using var live = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        var checks = JsonDocument.Parse(body).RootElement.GetProperty("checks");
        Assert.Equal("unhealthy", checks.GetProperty("kafka").GetProperty("status").GetString());
        Assert.Equal("unhealthy", checks.GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("clickhouse").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        // No exception text, server address or port in the answer: a correlation id stands for the logged exception.
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.Contains("correlation id", checks.GetProperty("postgres").GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
