using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Lambda.BatchLayer.Dashboard;

/// <summary>The Hangfire dashboard behind the admin key, with its key prompt.</summary>
public static class DashboardApplicationExtensions
{
    /// <summary>
    /// Serves the Hangfire dashboard at <paramref name="path"/> to admin-key holders only (whatever the client's address:
    /// Hangfire's default would let any local request in), and the key prompt at <c>&lt;path&gt;-login</c>. A browser
    /// without the key is sent to the prompt; other requests get 401.
    /// </summary>
    public static WebApplication UseBatchDashboard(this WebApplication app, string path, JobStorage storage)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var authorizer = app.Services.GetRequiredService<DashboardKeyAuthorizer>();
        var login = path + "-login";

        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(path, StringComparison.Ordinal) && HttpMethods.IsGet(context.Request.Method),
            branch => branch.Use(async (context, next) =>
            {
                if (!authorizer.IsAuthorized(context) && context.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.Ordinal) == true))
                {
                    context.Response.Redirect(login);
                    return;
                }

                await next(context).ConfigureAwait(false);
            }));
        app.UseHangfireDashboard(
            path,
            new DashboardOptions
            {
                DashboardTitle = "Lambda batch layer",
                DisplayStorageConnectionString = false,
                Authorization = [new AdminKeyDashboardAuthorizationFilter(authorizer)],
            },
            storage);

        app.MapGet(login, () => Prompt(path, login, failed: false)).ExcludeFromDescription();
        app.MapPost(login, async (HttpContext context) =>
        {
            var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false) : null;
            if (!authorizer.IsAdminKey(form?["key"].ToString()))
            {
                return Prompt(path, login, failed: true);
            }

            context.Response.Cookies.Append(DashboardKeyAuthorizer.CookieName, authorizer.IssueCookie(), new CookieOptions
            {
                HttpOnly = true,
                Secure = context.Request.IsHttps,
                SameSite = SameSiteMode.Strict,
                Path = path,
                MaxAge = authorizer.CookieLifetime,
            });
            return Results.Redirect(path);
        }).ExcludeFromDescription();
        return app;
    }

    private static IResult Prompt(string path, string login, bool failed) => Results.Content(
        $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Lambda batch layer</title></head>
        <body style="font-family: sans-serif; max-width: 28em; margin: 4em auto">
        <h1>Batch-layer dashboard</h1>
        <p>The Hangfire dashboard at <code>{{WebUtility.HtmlEncode(path)}}</code> needs the admin key (<code>Batch:Dashboard:ApiKeys</code>).</p>
        {{(failed ? "<p role=\"alert\" style=\"color:#b00\">That is not an admin key.</p>" : "")}}
        <form method="post" action="{{WebUtility.HtmlEncode(login)}}">
        <label>Admin key <input type="password" name="key" autocomplete="current-password" autofocus required></label>
        <button type="submit">Open the dashboard</button>
        </form></body></html>
        """,
        "text/html; charset=utf-8",
        statusCode: failed ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK);
}
