using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lambda.ServingLayer.Tests.Support;

namespace Lambda.ServingLayer.Tests.Dashboard;

public sealed partial class DashboardTests(ServingAppFactory factory) : IClassFixture<ServingAppFactory>
{
    [Fact]
    public async Task The_page_and_its_script_are_served_without_a_key_with_their_content_types()
    {
        using var client = factory.CreateClient(apiKey: null);

        using var page = await client.GetAsync("/dashboard");
        using var script = await client.GetAsync("/dashboard/dashboard.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", page.Content.Headers.ContentType?.CharSet);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>Lambda live dashboard</title>", html, StringComparison.Ordinal);
        Assert.Equal(["/dashboard/common.js", "/dashboard/dashboard.js"], ScriptSources().Matches(html).Select(m => m.Groups[1].Value));
        Assert.Contains("window.LambdaDashboard", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("sessionStorage", await client.GetStringAsync("/dashboard/common.js"), StringComparison.Ordinal);
        Assert.Equal(
            ["900000:last 15 min", "3600000:last 1 h", "86400000:last 24 h", "604800000:last 7 d"],
            WindowOptions().Matches(html).Select(m => $"{m.Groups[1].Value}:{m.Groups[2].Value}"));
        foreach (var id in new[] { "view", "granularity", "trailing", "group-by", "measure", "chart", "table", "watermark", "error", "alerts", "key" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/dashboard", "/dashboard/dashboard.css")]
    [InlineData("/dashboard/health", "/dashboard/health.css")]
    public async Task Styles_come_only_from_stylesheets_of_this_origin_which_the_policy_names(string pagePath, string ownSheet)
    {
        using var client = factory.CreateClient(apiKey: null);
        using var page = await client.GetAsync(pagePath);
        var html = await page.Content.ReadAsStringAsync();
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();

        // Without 'unsafe-inline' a browser would drop an inline style (the browser test sees that as a console error).
        Assert.Contains("style-src 'self';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
        var sheets = StylesheetLinks().Matches(html).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["/dashboard/common.css", ownSheet], sheets);
        foreach (var sheet in sheets)
        {
            using var css = await client.GetAsync(sheet);
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
            Assert.Contains("{", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_page_loads_nothing_from_other_hosts()
    {
        using var client = factory.CreateClient(apiKey: null);

        var text = await client.GetStringAsync("/dashboard") + await client.GetStringAsync("/dashboard/dashboard.js")
            + await client.GetStringAsync("/dashboard/common.js");

        // The SVG namespace is a name, not a request.
        var urls = AbsoluteUrls().Matches(text).Select(m => m.Value).ToArray();
        Assert.Equal(["http://www.w3.org/2000/svg"], urls);
    }

    [Fact]
    public async Task Every_api_path_the_page_uses_is_in_one_place_and_in_the_openapi_document()
    {
        using var client = factory.CreateClient(apiKey: null);
        var html = await client.GetStringAsync("/dashboard");
        var script = await client.GetStringAsync("/dashboard/dashboard.js") + await client.GetStringAsync("/dashboard/common.js");
        var paths = await ApiPathsAsync(client);
        var documented = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths")
            .EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(["alerts", "view", "views"], paths.Keys.Order(StringComparer.Ordinal));
        Assert.All(paths.Values, p => Assert.Contains(p, documented));

        // Nowhere else: the script holds no API path literal, the page none outside the block.
        Assert.DoesNotContain("/api/", script, StringComparison.Ordinal);
        Assert.Equal(paths.Count, Regex.Matches(html, "\"/api/").Count);

        // And the script asks only for entries the block has.
        var used = PathUses().Matches(script).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(paths.Keys.Order(StringComparer.Ordinal), used.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_endpoints_the_page_calls_answer_with_the_query_key_as_it_calls_them()
    {
        using var anonymous = factory.CreateClient(apiKey: null);
        using var client = factory.CreateClient(ServingAppFactory.QueryKey);
        var paths = await ApiPathsAsync(anonymous);

        using var catalog = await client.GetAsync(paths["views"]);
        Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
        var views = JsonDocument.Parse(await catalog.Content.ReadAsStringAsync()).RootElement.GetProperty("views").EnumerateArray().ToArray();
        Assert.NotEmpty(views);
        foreach (var view in views)
        {
            // The ranges the script builds: aligned to the view's buckets, ending with the bucket that holds now.
            var granularity = view.GetProperty("granularity").GetString()!;
            var bucket = granularity switch { "minute" => 60_000L, "hour" => 3_600_000L, _ => 86_400_000L };
            var to = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / bucket * bucket) + bucket;
            var from = to - Math.Max(bucket, (3_600_000L + bucket - 1) / bucket * bucket);
            var dimension = view.GetProperty("dimensions").EnumerateArray().Select(d => d.GetProperty("name").GetString()).FirstOrDefault() ?? string.Empty;
            // And the chart's sliding windows (TRAILING in the script): each of the granularity's choices, on its buckets.
            var trailing = granularity switch { "minute" => new[] { "5m", "15m", "60m" }, "hour" => ["3h", "6h", "24h"], _ => ["7d", "30d"] };
            foreach (var g in new[] { granularity, "all" }.Concat(trailing.Select(t => $"{granularity}&window={t}")))
            {
                var query = $"?from={Iso(from)}&to={Iso(to)}&granularity={g}&group_by={Uri.EscapeDataString(dimension)}";
                using var answer = await client.GetAsync(paths["view"].Replace("{view}", Uri.EscapeDataString(view.GetProperty("name").GetString()!), StringComparison.Ordinal) + query);
                Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{view.GetProperty("name")} {query}: {await answer.Content.ReadAsStringAsync()}");
                var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
                Assert.True(body.GetProperty("watermark").TryGetProperty("run_id", out _));
                Assert.True(body.GetProperty("watermark").TryGetProperty("speed", out _));
                Assert.Equal(g.Contains("&window=", StringComparison.Ordinal), body.TryGetProperty("window", out _));
            }
        }

        using var alerts = await client.GetAsync(paths["alerts"]);
        Assert.Equal(HttpStatusCode.OK, alerts.StatusCode);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await alerts.Content.ReadAsStringAsync()).RootElement.GetProperty("alerts").ValueKind);

        // Without the key the same calls are problem details whose 'detail' the page shows.
        using var refused = await anonymous.GetAsync(paths["views"]);
        var problem = await ProblemAssert.ReadAsync(refused, HttpStatusCode.Unauthorized);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    private static async Task<Dictionary<string, string>> ApiPathsAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/dashboard");
        var block = ApiPathsBlock().Match(html);
        Assert.True(block.Success, "the page has no <script type=\"application/json\" id=\"api-paths\"> block");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(block.Groups[1].Value)!;
    }

    private static string Iso(long epochMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(epochMilliseconds).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("<script type=\"application/json\" id=\"api-paths\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ApiPathsBlock();

    [GeneratedRegex("<script[^>]*\\ssrc=\"([^\"]+)\"")]
    private static partial Regex ScriptSources();

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"([^\"]+)\"")]
    private static partial Regex StylesheetLinks();

    [GeneratedRegex("https?://[^\\s'\"`)]+")]
    private static partial Regex AbsoluteUrls();

    [GeneratedRegex("<option value=\"(\\d+)\"[^>]*>([^<]+)</option>")]
    private static partial Regex WindowOptions();

    [GeneratedRegex("PATHS\\.([a-z]+)")]
    private static partial Regex PathUses();
}
