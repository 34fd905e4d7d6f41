using System.Net;
using System.Text.Json;
using Lambda.ServingLayer.Tests.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Api;

/// <summary><c>window=</c> through HTTP: the answer echoes it, a bad one is a problem naming it, the limit names its setting.</summary>
public sealed class WindowEndpointTests(ServingAppFactory factory) : IClassFixture<ServingAppFactory>
{
    private const string Path = "/api/views/revenue_by_country?from=2026-11-25T10:00:00Z&to=2026-11-25T10:05:00Z&group_by=";

    [Fact]
    public async Task A_windowed_answer_echoes_its_window_and_each_row_holds_the_trailing_window()
    {
        var reader = new FakeSpeedViewReader();
        reader.FlushAll(
            TestCatalogs.RevenueByCountry,
            ViewQueryEngineTests.Numbered((0, Orders.Create(-1, "US", 1.00m)), (0, Orders.Create(0, "DE", 2.00m)), (0, Orders.Create(3, "US", 4.00m))),
            _ => []);
        using var app = factory.WithLimits(new(), reader);
        using var client = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);

        var windowed = JsonDocument.Parse(await client.GetStringAsync(Path + "&window=PT2M")).RootElement;
        var plain = JsonDocument.Parse(await client.GetStringAsync(Path)).RootElement;

        Assert.Equal("2m", windowed.GetProperty("window").GetString());
        Assert.False(plain.TryGetProperty("window", out _));
        Assert.Equal(
            [("2026-11-25T10:00:00Z", 3.00m), ("2026-11-25T10:01:00Z", 2.00m), ("2026-11-25T10:03:00Z", 4.00m), ("2026-11-25T10:04:00Z", 4.00m)],
            windowed.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("bucket").GetString(), r.GetProperty("revenue").GetDecimal())));
    }

    [Theory]
    [InlineData("&window=5", "window", null)]
    [InlineData("&window=5m&granularity=all", "window", null)]
    [InlineData("&window=1h&granularity=hour", "window", null)]
    [InlineData("&window=11m", "window", "Serving:Limits:MaxWindowBuckets")]
    [InlineData("&window=7m", "to", "Serving:Limits:MaxRangeMinute")]
    public async Task A_bad_window_is_a_400_problem_naming_it_or_the_limit_it_goes_beyond(string extra, string parameter, string? setting)
    {
        using var app = factory.WithLimits(new() { ["MaxWindowBuckets"] = "10", ["MaxRangeMinute"] = "00:10:00" });
        using var client = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);

        using var response = await client.GetAsync(Path + extra);

        var problem = await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.BadRequest, parameter);
        Assert.Contains("window", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        if (setting is null)
        {
            Assert.False(problem.TryGetProperty("setting", out _));
        }
        else
        {
            Assert.Equal(setting, problem.GetProperty("setting").GetString());
            Assert.Contains(setting, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }
}
