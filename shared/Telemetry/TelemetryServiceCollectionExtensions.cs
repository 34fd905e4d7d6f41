using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Lambda.Shared.Telemetry;

/// <summary>The one registration of metrics and traces every service calls.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="TelemetryOptions"/> (<c>Telemetry</c>, validated on start) and registers one OpenTelemetry
    /// pipeline for <paramref name="serviceName"/>: every <c>Lambda.*</c> meter plus ASP.NET Core and HttpClient
    /// instruments, exported for Prometheus scrapes (map it with
    /// <see cref="TelemetryEndpointRouteBuilderExtensions.MapLambdaMetrics"/>) and, when <c>Telemetry:OtlpEndpoint</c>
    /// is set, pushed over OTLP with the traces of every <c>Lambda.*</c> activity source.
    /// </summary>
    public static IServiceCollection AddLambdaTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);

        var section = configuration.GetSection(TelemetryOptions.SectionName);
        services.AddOptions<TelemetryOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());

        // Whether to add an exporter is decided while the pipeline is built, before options can be resolved;
        // ValidateOnStart still rejects a bad value with a message naming the key.
        var settings = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = settings.OtlpEndpoint is { IsAbsoluteUri: true } endpoint ? endpoint : null;
        var protocol = settings.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(LambdaTelemetryNames.Wildcard)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddPrometheusExporter(prometheus =>
                        prometheus.ScrapeResponseCacheDurationMilliseconds = (int)settings.ScrapeCacheDuration.TotalMilliseconds);
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => { o.Endpoint = otlp; o.Protocol = protocol; });
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(LambdaTelemetryNames.Wildcard)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments(settings.MetricsPath, StringComparison.Ordinal))
                    .AddHttpClientInstrumentation();
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(o => { o.Endpoint = otlp; o.Protocol = protocol; });
                }
            });
        return services;
    }
}
