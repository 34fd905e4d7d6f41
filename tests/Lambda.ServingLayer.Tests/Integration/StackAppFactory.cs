using Lambda.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>
/// The serving layer with its real seams, pointed at the local stack (<c>scripts/lambda up</c>): the dev Kafka broker,
/// ClickHouse and PostgreSQL from <see cref="StackEndpoints"/>, plus per-test settings.
/// </summary>
internal sealed class StackAppFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public const string IngestKey = "it-ingest-key";
    public const string QueryKey = "it-query-key";
    public const string AdminKey = "it-admin-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var stack = StackEndpoints.Load();
        var values = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = stack.KafkaBootstrap,
            ["ClickHouse:Url"] = stack.ClickHouseUrl.AbsoluteUri,
            ["ConnectionStrings:Postgres"] = stack.PostgresConnectionString,
            ["Serving:ApiKeys:0:Key"] = IngestKey,
            ["Serving:ApiKeys:0:Scopes:0"] = "ingest",
            ["Serving:ApiKeys:1:Key"] = QueryKey,
            ["Serving:ApiKeys:1:Scopes:0"] = "query",
            ["Serving:ApiKeys:2:Key"] = AdminKey,
            ["Serving:ApiKeys:2:Scopes:0"] = "admin",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(values));
    }

    public HttpClient CreateClient(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }
}
