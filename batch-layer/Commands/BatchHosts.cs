using Lambda.Shared.Batch;
using Hangfire;
using Lambda.BatchLayer.Dashboard;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Telemetry;
using Lambda.Shared.Health;
using Lambda.Shared.Telemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Commands;

/// <summary>Builds the hosts the commands run: the service (<c>serve</c>) and a console host for one-shot commands.</summary>
public static class BatchHosts
{
    /// <summary>
    /// The batch-layer service: the archiver, Hangfire server (when <c>Batch:Schedule:ServerEnabled</c>), the nightly
    /// recurring job, the Hangfire dashboard at <c>Batch:DashboardPath</c> and <c>/healthz</c> (the archiver's lag), listening
    /// on <c>Batch:Urls</c> (127.0.0.1:8082) unless <c>urls</c>/<c>ASPNETCORE_URLS</c> say otherwise.
    /// <paramref name="args"/> are host arguments (<c>--Key=Value</c> configuration, <c>--urls</c>, ...).
    /// </summary>
    public static WebApplication CreateServer(string[] args, BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddInMemoryCollection(environment.Configuration);

        builder.Services.AddLambdaBatchLayer(builder.Configuration);
        builder.Services.AddLambdaBatchHangfire(builder.Configuration);
        builder.Services.AddHostedService<BatchRunsSchemaInitializer>();
        builder.Services.AddLambdaBatchRecurringJob();
        builder.Services.AddLambdaBatchArchiver(builder.Configuration);
        builder.Services.AddHealthChecks();
        builder.Services.AddLambdaBatchTelemetry(builder.Configuration);
        builder.Services.AddLambdaBatchDashboard();
        var schedule = builder.Configuration.GetSection(BatchScheduleOptions.SectionName).Get<BatchScheduleOptions>() ?? new BatchScheduleOptions();
        if (schedule.ServerEnabled)
        {
            builder.Services.AddLambdaBatchHangfireServer();
        }

        environment.ConfigureServices?.Invoke(builder.Services);

        var batch = builder.Configuration.GetSection(BatchLayerOptions.SectionName).Get<BatchLayerOptions>() ?? new BatchLayerOptions();
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(batch.Urls);
        }

        var app = builder.Build();
        // Degraded (the archiver behind) still answers 200: the process is alive; the body says what is wrong.
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(BatchHealthTags.Live),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        // Not ready (503) while a partition is stopped: its log is behind the progress stored for it.
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(BatchHealthTags.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        app.MapLambdaMetrics();
        app.UseBatchDashboard(batch.DashboardPath, app.Services.GetRequiredService<JobStorage>());
        return app;
    }

    /// <summary>
    /// A console host for one-shot commands (<c>recompute</c>, <c>sql</c>): the batch layer's services
    /// and the Hangfire client, no server. Logs go to standard error at <paramref name="minimumLevel"/>
    /// and above, so standard output carries only the command's result.
    /// </summary>
    public static IHost CreateCommandHost(BatchCommandEnvironment environment, LogLevel minimumLevel)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddInMemoryCollection(environment.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // A provider-specific rule outranks the category rules of appsettings (e.g. "Hangfire": "Information").
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, minimumLevel);

        builder.Services.AddLambdaBatchLayer(builder.Configuration);
        builder.Services.AddLambdaBatchHangfire(builder.Configuration);
        environment.ConfigureServices?.Invoke(builder.Services);
        return builder.Build();
    }
}
