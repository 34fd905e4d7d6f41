using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright) against the built speed and serving layers on
/// the local stack: a bad key shows the API's error; with a query key the totals table equals the API's answer for the
/// range the page shows, the chart draws one line per group (also over a trailing window), the health page draws the source's charts, and neither
/// page logs a console error. The expected groups
/// and counts come from the events the test sends, not from the platform.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed partial class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string QueryKey = "dashboard-browser-query-key";
    private static readonly string[] Countries = ["US", "DE", "FR", "JP"];
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(90);

    private PlatformRig _rig = null!;
    private Uri _serving = null!;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("dashboard", 2, PlatformRig.RevenueByCountryCatalog, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task The_dashboard_shows_the_APIs_answer_draws_a_line_per_group_and_reports_a_bad_key()
    {
        StartSpeed();
        StartServing();
        var expected = await ProduceRecentOrdersAsync(240);
        await WaitForApiTotalAsync(expected.Values.Sum());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DebianChromium.LaunchAsync(playwright);

        // A key the serving layer does not know: the page says what the API answered.
        {
            await using var context = await browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(_serving, "dashboard").AbsoluteUri);
            await page.FillAsync("#key", "not-a-key");
            await page.ClickAsync("#key-form button[type=submit]");
            await Assertions.Expect(page.Locator("#error")).ToHaveClassAsync("shown");
            await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("HTTP 401");
        }

        await using (var context = await browser.NewContextAsync())
        {
            var page = await context.NewPageAsync();
            var errors = new List<string>();
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    errors.Add($"console: {message.Text}");
                }
            };
            page.PageError += (_, error) => errors.Add($"page error: {error}");

            await page.GotoAsync(new Uri(_serving, "dashboard").AbsoluteUri);
            await page.FillAsync("#key", QueryKey);
            await page.ClickAsync("#key-form button[type=submit]");
            await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("updated", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#view")).ToHaveValueAsync("revenue_by_country");

            // The page polls once a second; compare one rendering with the API's answer for the range it shows.
            IReadOnlyDictionary<string, (long Orders, decimal Revenue)> shown = new Dictionary<string, (long, decimal)>();
            IReadOnlyDictionary<string, (long Orders, decimal Revenue)> answered = new Dictionary<string, (long, decimal)>();
            await PlatformRig.Eventually(
                async () =>
                {
                    var range = RangeText().Match(await page.Locator("#range").InnerTextAsync());
                    if (!range.Success)
                    {
                        return false;
                    }

                    shown = await ReadTableAsync(page);
                    answered = await QueryApiAsync(range.Groups["from"].Value, range.Groups["to"].Value);
                    return shown.Count > 0 && shown.OrderBy(g => g.Key, StringComparer.Ordinal).SequenceEqual(answered.OrderBy(g => g.Key, StringComparer.Ordinal));
                },
                "the dashboard's totals table to equal the API's answer for its range",
                Convergence,
                () => $"table: {Describe(shown)}\nAPI: {Describe(answered)}");
            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), shown.Select(g => KeyValuePair.Create(g.Key, g.Value.Orders)).OrderBy(e => e.Key, StringComparer.Ordinal));
            output.WriteLine($"table = API: {Describe(shown)}");

            // The speed layer read the view from offset 0 of every partition: the answer is complete, and the page says nothing.
            await Assertions.Expect(page.Locator("#incomplete")).ToBeHiddenAsync();
            Assert.Contains("complete from:   {", await page.Locator("#watermark").InnerTextAsync(), StringComparison.Ordinal);

            Assert.Equal(Countries.Length, await page.Locator("#chart polyline").CountAsync());
            var legend = await page.Locator("#legend span").AllInnerTextsAsync();
            Assert.Equal(Countries.Order(StringComparer.Ordinal), legend.Select(l => l.Trim()).Order(StringComparer.Ordinal));
            Assert.True(errors.Count == 0, string.Join("\n", errors));

            // A sliding window on the chart: each point over the trailing 15 minutes, still one line per group.
            await page.SelectOptionAsync("#trailing", "15m");
            await Assertions.Expect(page.Locator("#range")).ToContainTextAsync("each point over the trailing 15m", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#chart polyline")).ToHaveCountAsync(Countries.Length);
            Assert.True(errors.Count == 0, string.Join("\n", errors));

            // The health page, in the same tab (the key stays in its sessionStorage): the run's one source with its charts.
            await page.ClickAsync("#health-link");
            var source = page.Locator("section[data-source='orders']");
            await Assertions.Expect(source).ToBeVisibleAsync(new() { Timeout = 30_000 });
            Assert.True(await source.Locator("svg.chart").CountAsync() >= 4, "the health page drew fewer than four charts for the source");
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
    }

    private void StartSpeed() =>
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(_rig.Environment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["SpeedLayer__GroupId"] = $"dashboard-speed-{_rig.RunId}",
        });

    private void StartServing()
    {
        var port = FreePort.Next();
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], new(_rig.Environment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Serving__ApiKeys__0__Key"] = QueryKey,
            ["Serving__ApiKeys__0__Scopes__0"] = "query",
        });
        _serving = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>Sends paid and failed orders timed over the last 40 minutes (the dashboard's default range is the last hour); returns the paid ones per country.</summary>
    private async Task<Dictionary<string, long>> ProduceRecentOrdersAsync(int count)
    {
        var random = new Random(20261206);
        var now = DateTimeOffset.UtcNow;
        var paid = Countries.ToDictionary(c => c, _ => 0L, StringComparer.Ordinal);
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = _rig.Stack.KafkaBootstrap, LingerMs = 5 }).Build();
        for (var i = 0; i < count; i++)
        {
            var country = Countries[i % Countries.Length];
            var status = random.Next(4) == 0 ? "failed" : "paid";
            var ts = now.AddSeconds(-random.Next(60, 40 * 60)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var amount = (random.Next(100, 50_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
            var json = $$"""{"ts":"{{ts}}","order_id":"d{{i}}","user_id":"u{{i % 17}}","country":"{{country}}","amount":{{amount}},"status":"{{status}}"}""";
            await producer.ProduceAsync(_rig.Topic, new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(json) });
            if (status == "paid")
            {
                paid[country]++;
            }
        }

        return paid;
    }

    private async Task WaitForApiTotalAsync(long orders)
    {
        long seen = -1;
        var from = DateTimeOffset.UtcNow.AddHours(-2).ToString("yyyy-MM-dd'T'HH:00:00'Z'", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.AddHours(2).ToString("yyyy-MM-dd'T'HH:00:00'Z'", CultureInfo.InvariantCulture);
        await PlatformRig.Eventually(
            async () =>
            {
                foreach (var service in _rig.Services)
                {
                    service.EnsureRunning();
                }

                try
                {
                    seen = (await QueryApiAsync(from, to)).Values.Sum(v => v.Orders);
                }
                catch (HttpRequestException)
                {
                    return false;
                }

                return seen == orders;
            },
            $"the API to count {orders} paid orders",
            Convergence,
            () => $"it counts {seen}\n" + string.Join("\n", _rig.Services.Select(s => $"--- {s.Name}:\n{s.Tail}")));
    }

    private async Task<IReadOnlyDictionary<string, (long Orders, decimal Revenue)>> QueryApiAsync(string from, string to)
    {
        using var request = new HttpRequestMessage(
            HttpMethod.Get,
            new Uri(_serving, $"api/views/revenue_by_country?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&granularity=all&group_by=country"));
        request.Headers.Add("X-Api-Key", QueryKey);
        using var response = await _rig.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"the API answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(
            row => row.GetProperty("country").GetString()!,
            row => (row.GetProperty("orders").GetInt64(), Number(row.GetProperty("revenue").ToString())),
            StringComparer.Ordinal);
    }

    /// <summary>The totals table as the page shows it: country, orders and revenue (formatted with thousands separators).</summary>
    private static async Task<IReadOnlyDictionary<string, (long Orders, decimal Revenue)>> ReadTableAsync(IPage page)
    {
        var header = (await page.Locator("#table thead th").AllInnerTextsAsync()).ToList();
        var orders = header.IndexOf("orders");
        var revenue = header.IndexOf("revenue");
        var rows = new Dictionary<string, (long, decimal)>(StringComparer.Ordinal);
        if (header.Count == 0 || header[0] != "country" || orders < 0 || revenue < 0)
        {
            return rows;
        }

        foreach (var row in await page.Locator("#table tbody tr").AllAsync())
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            if (cells.Count == header.Count)
            {
                rows[cells[0]] = ((long)Number(cells[orders]), Number(cells[revenue]));
            }
        }

        return rows;
    }

    private static decimal Number(string text) =>
        decimal.Parse(text.Replace(",", "", StringComparison.Ordinal).Trim('"'), NumberStyles.Number, CultureInfo.InvariantCulture);

    private static string Describe(IReadOnlyDictionary<string, (long Orders, decimal Revenue)> groups) =>
        string.Join(", ", groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Value.Orders} / {g.Value.Revenue}"));

    [GeneratedRegex(@"^\[(?<from>\S+), (?<to>\S+)\)")]
    private static partial Regex RangeText();
}
