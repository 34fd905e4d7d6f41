using System.Net;
using System.Text.Json;
using Lambda.ServingLayer.Tests.Support;

namespace Lambda.ServingLayer.Tests.Api;

public sealed class DocumentationTests(ServingAppFactory factory) : IClassFixture<ServingAppFactory>
{
    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_its_parameters_and_the_key_scheme()
    {
        using var client = factory.CreateClient(apiKey: null);

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = document.GetProperty("paths");
        Assert.Equal(
            [
                "/api/admin/alerts", "/api/admin/alerts/{name}", "/api/admin/alerts/{name}/silence", "/api/admin/batch/recompute", "/api/admin/batch/status",
                "/api/admin/drift",
                "/api/admin/jobs", "/api/admin/jobs/{id}", "/api/admin/jobs/{id}/cancel", "/api/admin/jobs/{id}/result", "/api/admin/lookups/{name}",
                "/api/alerts", "/api/alerts/{name}", "/api/alerts/{name}/history", "/api/events/{source}", "/api/health/pipeline", "/api/views", "/api/views/{view}",
            ],
            paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var query = paths.GetProperty("/api/views/{view}").GetProperty("get");
        Assert.Equal(
            ["view", "from", "to", "granularity", "group_by", "filter", "limit", "where", "quantiles", "window"],
            query.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("query", query.GetProperty("security")[0].GetProperty("ApiKey")[0].GetString());
        Assert.True(query.GetProperty("responses").TryGetProperty("403", out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        var ingest = paths.GetProperty("/api/events/{source}").GetProperty("post");
        Assert.True(ingest.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/x-ndjson", out _));
        Assert.True(ingest.GetProperty("responses").TryGetProperty("202", out _));
    }

    [Fact]
    public async Task Every_parameter_and_request_body_is_described_from_the_bound_types()
    {
        using var client = factory.CreateClient(apiKey: null);

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var undescribed = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Value.TryGetProperty("parameters", out var parameters))
                {
                    undescribed.AddRange(parameters.EnumerateArray()
                        .Where(p => !HasText(p, "description"))
                        .Select(p => $"{operation.Name} {path.Name} parameter {p.GetProperty("name").GetString()}"));
                }

                if (operation.Value.TryGetProperty("requestBody", out var body) && !HasText(body, "description"))
                {
                    undescribed.Add($"{operation.Name} {path.Name} body");
                }
            }
        }

        Assert.Empty(undescribed);
        var query = document.GetProperty("paths").GetProperty("/api/views/{view}").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.True(query["from"].GetProperty("required").GetBoolean());
        Assert.True(query["to"].GetProperty("required").GetBoolean());
        Assert.Equal(["minute", "hour", "day", "all"], query["granularity"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Lambda.ServingLayer.Querying.QueryGranularityExtensions.Names, query["granularity"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("array", query["filter"].GetProperty("schema").GetProperty("type").GetString());
        var status = document.GetProperty("paths").GetProperty("/api/admin/batch/status").GetProperty("get").GetProperty("parameters");
        Assert.Equal(["limit"], status.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var recompute = document.GetProperty("paths").GetProperty("/api/admin/batch/recompute").GetProperty("post").GetProperty("requestBody");
        var schema = recompute.GetProperty("content").GetProperty("application/json").GetProperty("schema");
        if (schema.TryGetProperty("$ref", out var reference))
        {
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        var members = schema.GetProperty("properties").EnumerateObject().ToArray();
        Assert.Equal(["mode", "from", "to"], members.Select(m => m.Name));
        Assert.All(members, m => Assert.True(HasText(m.Value, "description"), m.Name));
    }

    private static bool HasText(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && !string.IsNullOrWhiteSpace(value.GetString());

    [Fact]
    public async Task The_api_reference_page_is_served_at_docs()
    {
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = true });

        using var response = await client.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Lambda serving layer", html, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        using var script = await client.GetAsync(new Uri(response.RequestMessage!.RequestUri!, "scalar.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Unknown_paths_and_methods_are_problem_details()
    {
        using var client = factory.CreateClient(ServingAppFactory.AllKey);

        using var notFound = await client.GetAsync("/api/nothing/here");
        using var wrongMethod = await client.DeleteAsync("/api/views");

        await ProblemAssert.ReadAsync(notFound, HttpStatusCode.NotFound);
        await ProblemAssert.ReadAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
    }
}
