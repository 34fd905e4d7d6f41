using System.Net;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Api;

/// <summary>The limits of <c>Serving:Limits</c> on <c>GET /api/views/{view}</c>: each refusal is a problem naming its setting.</summary>
public sealed class QueryLimitEndpointTests : IClassFixture<ServingAppFactory>
{
    private const string Hours = "/api/views/revenue_by_country?from=2026-11-25T10:00:00Z&to=2026-11-25T12:00:00Z&granularity=hour";

    private readonly ServingAppFactory _factory;

    public QueryLimitEndpointTests(ServingAppFactory factory) => _factory = factory;

    [Theory]
    [InlineData("minute", "2026-01-01T00:00:00Z", "2026-02-01T00:01:00Z", false)]
    [InlineData("minute", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", true)]
    [InlineData("hour", "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", true)]
    public async Task A_range_longer_than_its_granularity_allows_is_a_400_naming_the_setting(string granularity, string from, string to, bool accepted)
    {
        using var app = _factory.WithLimits(new() { ["MaxRangeMinute"] = "31.00:00:00" });
        using var client = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);

        using var response = await client.GetAsync($"/api/views/revenue_by_country?from={from}&to={to}&granularity={granularity}");

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return;
        }

        var problem = await ProblemAssert.ReadNamingAsync(response, HttpStatusCode.BadRequest, "to");
        Assert.Equal("Serving:Limits:MaxRangeMinute", problem.GetProperty("setting").GetString());
        Assert.Equal("range", problem.GetProperty("limit").GetString());
        Assert.Contains("at most 31 days (setting Serving:Limits:MaxRangeMinute)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_groups_than_allowed_is_a_422_naming_the_setting_and_fewer_pass()
    {
        var reader = new FakeSpeedViewReader();
        var view = TestCatalogs.RevenueByCountry;
        reader.FlushAll(
            view,
            ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 1m)), (0, Orders.Create(1, "DE", 2m)), (0, Orders.Create(2, "CH", 3m)), (0, Orders.Create(70, "US", 4m))),
            _ => []);
        using var app = _factory.WithLimits(new() { ["MaxGroups"] = "2" }, reader);
        using var client = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);

        using var tooMany = await client.GetAsync(Hours);
        using var tooManyInOneBucket = await client.GetAsync(Hours.Replace("granularity=hour", "granularity=all", StringComparison.Ordinal));
        using var filtered = await client.GetAsync(Hours + "&filter=country:US,country:DE");
        using var oneGroup = await client.GetAsync(Hours + "&group_by=");

        var problem = await ProblemAssert.ReadNamingAsync(tooMany, HttpStatusCode.UnprocessableEntity, "group_by");
        Assert.Equal("Serving:Limits:MaxGroups", problem.GetProperty("setting").GetString());
        Assert.Equal("groups", problem.GetProperty("limit").GetString());
        Assert.Contains("holds 3 groups, more than the 2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooManyInOneBucket.StatusCode);
        // Two groups over two hours (three rows): the limit counts groups, not rows.
        Assert.Equal(HttpStatusCode.OK, filtered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, oneGroup.StatusCode);
    }

    [Fact]
    public async Task A_key_beyond_its_rate_gets_429_with_retry_after_while_another_key_is_answered()
    {
        using var app = _factory.WithLimits(new() { ["RequestsPerSecond"] = "1", ["Burst"] = "2" });
        using var flooding = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);
        using var other = LimitedApps.ClientOf(app, ServingAppFactory.AllKey);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 3; i++)
        {
            var response = await flooding.GetAsync(Hours);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
                break;
            }

            response.Dispose();
        }

        using var others = await other.GetAsync(Hours);

        Assert.True(refused is not null, $"no 429 within the burst + 1 requests: {string.Join(", ", statuses)}");
        using (refused)
        {
            var problem = await ProblemAssert.ReadAsync(refused, HttpStatusCode.TooManyRequests);
            Assert.Equal("Serving:Limits:RequestsPerSecond", problem.GetProperty("setting").GetString());
            Assert.Equal("rate", problem.GetProperty("limit").GetString());
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        }

        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
    }

    [Fact]
    public async Task A_key_whose_queries_merged_more_groups_than_its_budget_gets_429_with_retry_after_until_repaid_while_another_key_is_answered()
    {
        // Four groups against a budget of one.
        var reader = FourGroups();
        using var app = _factory.WithLimits(new() { ["GroupsPerSecond"] = "1", ["GroupsBurst"] = "1" }, reader);
        using var heavy = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);
        using var other = LimitedApps.ClientOf(app, ServingAppFactory.AllKey);

        using var first = await heavy.GetAsync(Hours);
        using var refused = await heavy.GetAsync(Hours + "&group_by=");
        using var others = await other.GetAsync(Hours + "&group_by=");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var problem = await ProblemAssert.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("Serving:Limits:GroupsPerSecond", problem.GetProperty("setting").GetString());
        Assert.Equal("work", problem.GetProperty("limit").GetString());
        // Four groups charged to a balance of one: a debt of about three groups at one per second.
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(2), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
    }

    [Fact]
    public async Task A_key_that_asks_again_before_its_retry_after_gets_its_429_only_after_the_rest_of_the_wait()
    {
        var reader = FourGroups();
        // The work budget and the hold both run on this clock, so nothing is repaid or released until the test moves it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = _factory.WithLimits(new() { ["GroupsPerSecond"] = "1", ["GroupsBurst"] = "1", ["RefusalHold"] = "00:00:05" }, reader, time);
        using var heavy = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);

        using var first = await heavy.GetAsync(Hours);
        using var refused = await heavy.GetAsync(Hours).WaitAsync(TimeSpan.FromSeconds(30));
        var again = heavy.GetAsync(Hours);
        var heldWhileTimeStood = await Task.WhenAny(again, Task.Delay(TimeSpan.FromMilliseconds(500))) != again;
        time.Advance(refused.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5));
        using var afterTheWait = await again.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(heldWhileTimeStood, "the refusal of a key that did not wait its Retry-After was sent at once");
        var problem = await ProblemAssert.ReadAsync(afterTheWait, HttpStatusCode.TooManyRequests);
        Assert.Equal("Serving:Limits:GroupsPerSecond", problem.GetProperty("setting").GetString());
    }

    /// <summary>Four groups: three minutes of one hour and one of the next, each its own country or minute.</summary>
    private static FakeSpeedViewReader FourGroups()
    {
        var reader = new FakeSpeedViewReader();
        reader.FlushAll(
            TestCatalogs.RevenueByCountry,
            ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 1m)), (0, Orders.Create(1, "DE", 2m)), (0, Orders.Create(2, "CH", 3m)), (0, Orders.Create(70, "US", 4m))),
            _ => []);
        return reader;
    }

    [Fact]
    public async Task A_key_with_as_many_queries_running_as_allowed_gets_429_for_the_next()
    {
        var reader = new BlockingSpeedViewReader("revenue_by_country");
        using var app = _factory.WithLimits(new() { ["MaxConcurrentQueries"] = "1", ["QueuedQueries"] = "0", ["Timeout"] = "00:00:05" }, reader);
        using var client = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);
        using var other = LimitedApps.ClientOf(app, ServingAppFactory.AllKey);

        var running = client.GetAsync(Hours);
        await reader.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var second = await client.GetAsync(Hours.Replace("revenue_by_country", "failed_payments", StringComparison.Ordinal));
        using var othersCheap = await other.GetAsync(Hours.Replace("revenue_by_country", "failed_payments", StringComparison.Ordinal));

        var problem = await ProblemAssert.ReadAsync(second, HttpStatusCode.TooManyRequests);
        Assert.Equal("Serving:Limits:MaxConcurrentQueries", problem.GetProperty("setting").GetString());
        Assert.Equal("concurrency", problem.GetProperty("limit").GetString());
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, othersCheap.StatusCode);
        using var timedOut = await running;
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
    }

    [Fact]
    public async Task A_query_beyond_the_concurrency_waits_in_the_queue_and_is_answered_when_a_permit_frees()
    {
        var reader = new BlockingSpeedViewReader("revenue_by_country");
        // The first query holds its permit until its timeout: long enough that, on a loaded machine, it still runs when
        // the second one arrives and is looked at.
        using var app = _factory.WithLimits(new() { ["MaxConcurrentQueries"] = "1", ["QueuedQueries"] = "1", ["Timeout"] = "00:00:05" }, reader);
        using var client = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);

        var running = client.GetAsync(Hours);
        await reader.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var queued = client.GetAsync(Hours.Replace("revenue_by_country", "failed_payments", StringComparison.Ordinal));
        await Task.Delay(200);

        Assert.False(queued.IsCompleted, "the second query was not held back while the first one ran");
        using var first = await running;
        using var second = await queued;
        Assert.Equal(HttpStatusCode.GatewayTimeout, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task A_query_past_the_timeout_is_a_504_naming_the_setting_and_its_computation_is_cancelled()
    {
        var reader = new BlockingSpeedViewReader("revenue_by_country");
        using var app = _factory.WithLimits(new() { ["Timeout"] = "00:00:00.300" }, reader);
        using var client = LimitedApps.ClientOf(app, ServingAppFactory.QueryKey);

        using var response = await client.GetAsync(Hours);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.GatewayTimeout);
        Assert.Equal("Serving:Limits:Timeout", problem.GetProperty("setting").GetString());
        Assert.Equal("timeout", problem.GetProperty("limit").GetString());
        // The shared computation had no other caller: the read it started is cancelled, not left running.
        await reader.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, reader.Running);
    }
}
