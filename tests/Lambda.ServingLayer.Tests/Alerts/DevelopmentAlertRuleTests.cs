using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

public sealed class DevelopmentAlertRuleTests
{
    [Fact]
    public async Task Development_settings_define_the_orders_stopped_example_and_it_passes_validation_against_the_default_catalog()
    {
        await using var development = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting("Kafka:BootstrapServers", "127.0.0.1:9");
        });
        using var client = development.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-query-key");

        using var response = await client.GetAsync("/api/alerts/orders_stopped");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rule = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            ("revenue_by_country", "orders", "00:05:00", "<", 1.0),
            (rule.GetProperty("view").GetString(), rule.GetProperty("measure").GetString(), rule.GetProperty("window").GetString(),
                rule.GetProperty("condition").GetString(), rule.GetProperty("threshold").GetDouble()));
    }
}
