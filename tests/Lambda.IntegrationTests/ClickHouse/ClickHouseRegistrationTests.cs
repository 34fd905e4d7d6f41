using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.IntegrationTests.ClickHouse;

[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ClickHouseRegistrationTests(ClickHouseFixture fixture) : IClassFixture<ClickHouseFixture>
{
    [Fact]
    public async Task The_registered_client_and_health_check_work_against_the_server()
    {
        var database = fixture.Database + "_di";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ClickHouse:Url"] = fixture.Url.ToString(),
            ["ClickHouse:Database"] = database,
        }).Build();
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddLambdaClickHouse(configuration.GetSection("ClickHouse"))
            .BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();

        var client = provider.GetRequiredService<IClickHouseClient>();
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Status); // the database does not exist yet
        try
        {
            await client.EnsureDatabaseAsync(CancellationToken.None);
            await client.EnsureDatabaseAsync(CancellationToken.None);
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
            Assert.Equal(database, await client.QueryScalarAsync<string>("SELECT currentDatabase()"));
        }
        finally
        {
            await client.ExecuteAsync("DROP DATABASE IF EXISTS " + ClickHouseSql.QuoteIdentifier(database));
        }
    }
}
