using System.Net;
using System.Text.Json;
using Lambda.ServingLayer.Alerts.Leadership;
using Lambda.ServingLayer.Alerts.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lambda.ServingLayer.Tests.Alerts;

public sealed class DevelopmentAlertRuleTests
{
    [Fact]
    public async Task Development_settings_define_the_orders_stopped_and_per_user_examples_and_they_pass_validation_against_the_default_catalog()
    {
        await using var development = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting("Kafka:BootstrapServers", "127.0.0.1:9");
            b.ConfigureTestServices(services =>
            {
                services.RemoveAll<IAlertRuleStore>().AddSingleton<IAlertRuleStore>(new InMemoryAlertRuleStore());
                services.RemoveAll<IAlertLeadership>().AddSingleton<IAlertLeadership>(new FixedAlertLeadership { Leading = false });
            });
        });
        using var client = development.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-query-key");

        using var response = await client.GetAsync("/api/alerts/orders_stopped");
        using var perUser = await client.GetAsync("/api/alerts/failed_payments_per_user");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rule = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            ("revenue_by_country", "orders", "00:05:00", "<", 1.0),
            (rule.GetProperty("view").GetString(), rule.GetProperty("measure").GetString(), rule.GetProperty("window").GetString(),
                rule.GetProperty("condition").GetString(), rule.GetProperty("threshold").GetDouble()));
        Assert.Equal(HttpStatusCode.OK, perUser.StatusCode);
        var fraud = JsonDocument.Parse(await perUser.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            ("failed_payments_by_user", "failures", "00:10:00", ">", 5.0, "user_id"),
            (fraud.GetProperty("view").GetString(), fraud.GetProperty("measure").GetString(), fraud.GetProperty("window").GetString(),
                fraud.GetProperty("condition").GetString(), fraud.GetProperty("threshold").GetDouble(), fraud.GetProperty("group_by")[0].GetString()));
    }
}
