using Lambda.SpeedLayer;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Lambda.Shared.Health;
using Lambda.Shared.Telemetry;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
{
    // The local stack's port for the speed layer; ASPNETCORE_URLS / --urls / Urls override it.
    builder.WebHost.UseUrls("http://127.0.0.1:8081");
}

builder.Services.AddSpeedLayer(builder.Configuration);

var app = builder.Build();
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live"), ResponseWriter = HealthResponseWriter.WriteAsync });

// Not ready (503) while ClickHouse is unreachable or a partition is stopped; the body names which and why.
app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthResponseWriter.WriteAsync });
app.MapLambdaMetrics();
app.Run();

/// <summary>Entry point type, public so integration tests can host the service.</summary>
public partial class Program;
