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
            ["/api/admin/batch/recompute", "/api/admin/batch/status", "/api/alerts", "/api/alerts/{name}", "/api/events/{source}", "/api/views", "/api/views/{view}"],
            paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var query = paths.GetProperty("/api/views/{view}").GetProperty("get");
        Assert.Equal(
            ["view", "from", "to", "granularity", "group_by", "filter", "limit", "quantiles"],
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
