using System.Reflection;

namespace Lambda.ServingLayer.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: the live dashboard, and <c>GET /dashboard/health</c>: pipeline health; static pages (HTML, plain
/// JavaScript, SVG) embedded in the assembly, served without a key; each page asks for a <c>query</c> key and sends it
/// with every API call it makes.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>The page's path.</summary>
    public const string PagePath = "/dashboard";

    /// <summary>The page script's path.</summary>
    public const string ScriptPath = "/dashboard/dashboard.js";

    /// <summary>The script both pages load first (key, API calls, errors, SVG).</summary>
    public const string CommonScriptPath = "/dashboard/common.js";

    /// <summary>The pipeline health page's path.</summary>
    public const string HealthPagePath = "/dashboard/health";

    /// <summary>The pipeline health page script's path.</summary>
    public const string HealthScriptPath = "/dashboard/health.js";

    /// <summary>The stylesheet both pages load first (header, sections, error banner).</summary>
    public const string CommonStylePath = "/dashboard/common.css";

    /// <summary>The pages' icon (without one, browsers ask for <c>/favicon.ico</c> and log the 404 as a console error).</summary>
    public const string IconPath = "/dashboard/favicon.svg";

    private const string Html = "text/html; charset=utf-8";
    private const string JavaScript = "text/javascript; charset=utf-8";
    private const string Css = "text/css; charset=utf-8";

    private static readonly (string Path, Lazy<byte[]> Content, string ContentType)[] Assets =
    [
        (PagePath, new(() => Load("dashboard.html")), Html),
        (ScriptPath, new(() => Load("dashboard.js")), JavaScript),
        (CommonScriptPath, new(() => Load("common.js")), JavaScript),
        (HealthPagePath, new(() => Load("health.html")), Html),
        (HealthScriptPath, new(() => Load("health.js")), JavaScript),
        (IconPath, new(() => Load("favicon.svg")), "image/svg+xml"),
        (CommonStylePath, new(() => Load("common.css")), Css),
        ("/dashboard/dashboard.css", new(() => Load("dashboard.css")), Css),
        ("/dashboard/health.css", new(() => Load("health.css")), Css),
    ];

    /// <summary>Maps the pages and their scripts, open to anonymous callers and left out of the OpenAPI document.</summary>
    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var (path, content, contentType) in Assets)
        {
            endpoints.MapGet(path, (HttpContext context) => Serve(context, content.Value, contentType))
                .AllowAnonymous()
                .ExcludeFromDescription();
        }

        return endpoints;
    }

    private static IResult Serve(HttpContext context, byte[] content, string contentType)
    {
        // The page holds no data; the key and every answer stay in the browser tab. Scripts and stylesheets only from
        // here: no inline script or style, so injected markup can neither run nor restyle the page.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return TypedResults.Bytes(content, contentType);
    }

    private static byte[] Load(string name)
    {
        var resource = $"Lambda.ServingLayer.Dashboard.{name}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the dashboard resource {resource} is not embedded in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
