using System.Net;
using System.Net.Http.Json;
using Lambda.ServingLayer.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Lambda.ServingLayer.Tests.Api;

public sealed class AuthTests(ServingAppFactory factory) : IClassFixture<ServingAppFactory>
{
    public static TheoryData<string, string, string?, HttpStatusCode> Cases => new()
    {
        { "GET", "/api/views", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/views", ServingAppFactory.IngestKey, HttpStatusCode.Forbidden },
        { "GET", "/api/views", ServingAppFactory.AdminKey, HttpStatusCode.Forbidden },
        { "GET", "/api/views", ServingAppFactory.QueryKey, HttpStatusCode.OK },
        { "GET", "/api/views", ServingAppFactory.AllKey, HttpStatusCode.OK },
        { "GET", "/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26", ServingAppFactory.IngestKey, HttpStatusCode.Forbidden },
        { "GET", "/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26", ServingAppFactory.QueryKey, HttpStatusCode.OK },
        { "POST", "/api/events/orders", null, HttpStatusCode.Unauthorized },
        { "POST", "/api/events/orders", ServingAppFactory.QueryKey, HttpStatusCode.Forbidden },
        { "POST", "/api/events/orders", ServingAppFactory.AdminKey, HttpStatusCode.Forbidden },
        { "POST", "/api/events/orders", ServingAppFactory.IngestKey, HttpStatusCode.Accepted },
        { "POST", "/api/admin/batch/recompute", null, HttpStatusCode.Unauthorized },
        { "POST", "/api/admin/batch/recompute", ServingAppFactory.QueryKey, HttpStatusCode.Forbidden },
        { "POST", "/api/admin/batch/recompute", ServingAppFactory.IngestKey, HttpStatusCode.Forbidden },
        { "POST", "/api/admin/batch/recompute", ServingAppFactory.AdminKey, HttpStatusCode.Accepted },
        { "GET", "/api/admin/batch/status", ServingAppFactory.QueryKey, HttpStatusCode.Forbidden },
        { "GET", "/api/admin/batch/status", ServingAppFactory.AdminKey, HttpStatusCode.OK },
        { "GET", "/api/admin/drift", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/admin/drift", ServingAppFactory.QueryKey, HttpStatusCode.Forbidden },
        { "GET", "/api/admin/drift", ServingAppFactory.AdminKey, HttpStatusCode.OK },
        { "GET", "/healthz", null, HttpStatusCode.OK },
        { "GET", "/openapi/v1.json", null, HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_endpoint_needs_a_key_with_its_scope(string method, string path, string? key, HttpStatusCode expected)
    {
        using var client = factory.CreateClient(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST" && path.StartsWith("/api/events", StringComparison.Ordinal))
        {
            request.Content = new StringContent("[" + Orders.Json(0, "US", 1.00m) + "]", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);

        if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var problem = await ProblemAssert.ReadAsync(response, expected);
            Assert.Equal("X-Api-Key", problem.GetProperty("header").GetString());
        }
        else
        {
            Assert.Equal(expected, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_refusal_says_which_scope_is_missing_and_a_challenge_how_to_authenticate()
    {
        using var query = factory.CreateClient(ServingAppFactory.QueryKey);
        using var anonymous = factory.CreateClient(apiKey: null);

        using var forbidden = await query.PostAsync("/api/admin/batch/recompute", null);
        using var unauthorized = await anonymous.GetAsync("/api/views");

        Assert.Contains("'admin' scope", (await ProblemAssert.ReadAsync(forbidden, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("'query' scope", (await ProblemAssert.ReadAsync(unauthorized, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", unauthorized.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("not-a-key-at-all")]
    [InlineData("TEST-QUERY-KEY")]
    [InlineData("test-query-key ")]
    public async Task An_unknown_key_is_401(string key)
    {
        using var client = factory.CreateClient(key);

        using var response = await client.GetAsync("/api/views");

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("not valid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_key_headers_are_401()
    {
        using var client = factory.CreateClient(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/views");
        request.Headers.TryAddWithoutValidation("X-Api-Key", [ServingAppFactory.QueryKey, ServingAppFactory.AllKey]);

        using var response = await client.SendAsync(request);

        await ProblemAssert.ReadAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Development_defaults_have_one_key_per_scope_and_the_admin_key_may_query()
    {
        await using var development = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting("Kafka:BootstrapServers", "127.0.0.1:9");
        });

        async Task<HttpStatusCode> StatusAsync(string key, string path)
        {
            using var client = development.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            using var response = await client.GetAsync(path);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync("dev-query-key", "/api/views"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("dev-admin-key", "/api/views"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync("dev-ingest-key", "/api/views"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync("dev-query-key", "/api/admin/batch/status"));
    }

    [Fact]
    public async Task Keys_are_validated_at_start_naming_the_setting()
    {
        await using var broken = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseSetting("Kafka:BootstrapServers", "127.0.0.1:9");
            b.UseSetting("Serving:ApiKeys:0:Key", "short");
            b.UseSetting("Serving:ApiKeys:0:Scopes:0", "root");
        });

        var error = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        Assert.Contains("Serving:ApiKeys:0:Key", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Serving:ApiKeys:0:Scopes:0 'root'", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev-admin-key", "Serving:ApiKeys:0:Key is the public development key 'dev-admin-key'")]
    [InlineData(null, "Serving:ApiKeys is empty")]
    public async Task A_production_start_with_a_development_key_or_no_key_is_refused_naming_the_setting(string? key, string expected)
    {
        await using var production = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Kafka:BootstrapServers", "127.0.0.1:9");
            if (key is not null)
            {
                b.UseSetting("Serving:ApiKeys:0:Key", key);
                b.UseSetting("Serving:ApiKeys:0:Scopes:0", "admin");
            }
        });

        var error = Assert.ThrowsAny<Exception>(() => production.CreateClient());

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_start_with_keys_of_its_own_serves()
    {
        await using var production = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Kafka:BootstrapServers", "127.0.0.1:9");
            b.UseSetting("Serving:ApiKeys:0:Key", "a-production-query-key");
            b.UseSetting("Serving:ApiKeys:0:Scopes:0", "query");
        });
        using var client = production.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "a-production-query-key");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/views")).StatusCode);
    }
}
