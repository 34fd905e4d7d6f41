using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lambda.ServingLayer.Tests.Support;

namespace Lambda.ServingLayer.Tests.Dashboard;

public sealed partial class HealthDashboardTests(ServingAppFactory factory) : IClassFixture<ServingAppFactory>
{
    [Fact]
    public async Task The_page_and_its_script_are_served_without_a_key_under_the_dashboards_policy_with_the_ids_tests_rely_on()
    {
        using var client = factory.CreateClient(apiKey: null);

        using var page = await client.GetAsync("/dashboard/health");
        using var script = await client.GetAsync("/dashboard/health.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        var js = await script.Content.ReadAsStringAsync();
        Assert.Contains("<title>Lambda pipeline health</title>", html, StringComparison.Ordinal);
        Assert.Equal(["/dashboard/common.js", "/dashboard/health.js"], ScriptSources().Matches(html).Select(m => m.Groups[1].Value));
        foreach (var id in new[] { "sources", "recompute", "error", "key", "status" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        // The script builds one section[data-source] per source and one svg.chart per series, flags with class 'breached',
        // and takes the key, API calls and errors from the script both pages share (one key for both).
        Assert.Contains("section.dataset.source = name", js, StringComparison.Ordinal);
        Assert.Contains("class: 'chart'", js, StringComparison.Ordinal);
        Assert.Contains("'breached'", js, StringComparison.Ordinal);
        Assert.Contains("'lambda.dashboard.apiKey'", await client.GetStringAsync("/dashboard/common.js"), StringComparison.Ordinal);
        Assert.Contains("window.LambdaDashboard", js, StringComparison.Ordinal);
        Assert.DoesNotContain("sessionStorage", js, StringComparison.Ordinal);

        // An icon of its own: without one the browser asks for /favicon.ico and logs the 404 as a console error.
        Assert.Contains("<link rel=\"icon\" href=\"/dashboard/favicon.svg\"", html, StringComparison.Ordinal);
        using var icon = await client.GetAsync("/dashboard/favicon.svg");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);

        // The two pages link to each other.
        Assert.Contains("href=\"/dashboard\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/dashboard/health\"", await client.GetStringAsync("/dashboard"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_calls_one_api_path_named_once_which_is_documented_and_loads_nothing_from_other_hosts()
    {
        using var client = factory.CreateClient(apiKey: null);
        var html = await client.GetStringAsync("/dashboard/health");
        var script = await client.GetStringAsync("/dashboard/health.js") + await client.GetStringAsync("/dashboard/common.js");
        var block = ApiPathsBlock().Match(html);
        Assert.True(block.Success);
        var paths = JsonSerializer.Deserialize<Dictionary<string, string>>(block.Groups[1].Value)!;
        var documented = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths")
            .EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(new Dictionary<string, string> { ["pipeline"] = "/api/health/pipeline" }, paths);
        Assert.Contains(paths["pipeline"], documented);
        Assert.DoesNotContain("/api/", script, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "\"/api/"));
        Assert.Equal(["http://www.w3.org/2000/svg"], AbsoluteUrls().Matches(html + script).Select(m => m.Value));
    }

    [GeneratedRegex("<script type=\"application/json\" id=\"api-paths\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ApiPathsBlock();

    [GeneratedRegex("<script[^>]*\\ssrc=\"([^\"]+)\"")]
    private static partial Regex ScriptSources();

    [GeneratedRegex("https?://[^\\s'\"`)]+")]
    private static partial Regex AbsoluteUrls();
}
