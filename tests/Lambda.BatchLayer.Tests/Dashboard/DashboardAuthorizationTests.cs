using Lambda.Testing;
using System.Net;
using Lambda.BatchLayer.Commands;
using Lambda.BatchLayer.Tests.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Dashboard;

/// <summary>
/// The real batch-layer service (Hangfire on the stack's PostgreSQL) with every request made to look non-local
/// (remote address 203.0.113.7, a documentation address): the dashboard opens with the admin key only, by header or
/// through the key prompt's cookie, and a Production start without a key of its own is refused.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Collection(HangfireCollection.Name)]
public sealed class DashboardAuthorizationTests : IAsyncLifetime
{
    private readonly BatchTestServers _servers = new("batch-dashboard-");
    private WebApplication? _app;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        await _servers.InitializeAsync();
        _app = BatchHosts.CreateServer([], new BatchCommandEnvironment
        {
            Configuration = _servers.Configuration(),
            ConfigureServices = services => services.AddSingleton<IStartupFilter, RemoteAddressStartupFilter>(),
        });
        await _app.StartAsync();
        _client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await _servers.DisposeAsync();
    }

    [Fact]
    public async Task A_non_local_request_sees_the_dashboard_with_the_admin_key_and_not_without_it()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/hangfire", key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/hangfire/stats", key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/hangfire", key: "not-the-admin-key")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/hangfire", key: "dev-admin-key")).StatusCode);

        using var page = await GetAsync("/hangfire", BatchTestServers.DashboardKey);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Lambda batch layer", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_is_sent_to_the_key_prompt_whose_cookie_opens_the_dashboard()
    {
        using var redirect = await GetAsync("/hangfire/jobs/enqueued", key: null, html: true);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/hangfire-login", redirect.Headers.Location?.OriginalString);

        using var wrong = await _client.PostAsync("/hangfire-login", new FormUrlEncodedContent([new("key", "wrong-key-123")]));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        using var login = await _client.PostAsync("/hangfire-login", new FormUrlEncodedContent([new("key", BatchTestServers.DashboardKey)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(BatchTestServers.DashboardKey, cookie, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire/jobs/enqueued");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var page = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/hangfire/jobs/enqueued");
        forged.Headers.Add("Cookie", "lambda-dashboard=CfDJ8forged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.SendAsync(forged)).StatusCode);
    }

    [Fact]
    public async Task A_production_start_with_the_development_key_or_no_key_is_refused_naming_the_setting()
    {
        foreach (var (key, expected) in new[] { ("dev-admin-key", "Batch:Dashboard:ApiKeys:0 is the public development key 'dev-admin-key'"), ((string?)null, "Batch:Dashboard:ApiKeys is empty") })
        {
            var configuration = _servers.Configuration();
            if (key is null)
            {
                configuration.Remove("Batch:Dashboard:ApiKeys:0");
            }
            else
            {
                configuration["Batch:Dashboard:ApiKeys:0"] = key;
            }

            var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            {
                await using var app = BatchHosts.CreateServer([], new BatchCommandEnvironment { Configuration = configuration });
                await app.StartAsync();
                await app.StopAsync();
            });
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? key, bool html = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        if (html)
        {
            request.Headers.Add("Accept", "text/html");
        }

        return await _client.SendAsync(request);
    }

    // Runs first in the pipeline: every request looks as if it came from another machine.
    private sealed class RemoteAddressStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
