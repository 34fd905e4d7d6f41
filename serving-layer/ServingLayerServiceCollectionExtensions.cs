using Lambda.Shared.Deployment;
using Lambda.Shared.Lookups;
using System.Text.Json;
using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Endpoints;
using Lambda.ServingLayer.Health;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.Json;
using Lambda.ServingLayer.Limits;
using Lambda.ServingLayer.OpenApi;
using Lambda.ServingLayer.Pipeline;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Security;
using Lambda.ServingLayer.Telemetry;
using Lambda.Shared.AdHoc;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Kafka;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Lambda.ServingLayer.Drift;
using Lambda.Shared.Drift;

namespace Lambda.ServingLayer;

/// <summary>Registers everything the serving layer needs.</summary>
public static class ServingLayerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the catalog, the seams (Kafka producer, ClickHouse speed tables, batch views, Hangfire, PostgreSQL),
    /// the query engine, alert rules, API-key authentication with one policy per scope, query limits (range, groups, request
    /// timeout, per-key rate and concurrency), problem details, OpenAPI and health checks.
    /// Seams are registered with TryAdd, so a host (or a test) that registered its own implementation first keeps it.
    /// </summary>
    public static IServiceCollection AddServingLayer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<ServingOptions>()
            .Bind(configuration.GetSection(ServingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServingOptions>, ProductionKeysValidator>());

        services.AddLambdaCatalog();
        services.AddLambdaKafka(configuration);
        services.AddLambdaClickHouse(configuration.GetSection(ClickHouseOptions.SectionName));
        services.AddLambdaBatchViews(configuration);
        services.AddLambdaLookups(configuration);
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(
            configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set: the batch run log and Hangfire's storage live in PostgreSQL.")));

        // Seams.
        // Kappa mode answers from the speed tables alone: no batch merge, the watermarks are not read.
        services.TryAddSingleton<ManifestBatchViewStore>();
        services.TryAddSingleton<IBatchViewStore>(sp => sp.GetRequiredService<IOptions<LambdaModeOptions>>().Value.IsKappa
            ? new SpeedOnlyBatchViewStore()
            : sp.GetRequiredService<ManifestBatchViewStore>());
        services.TryAddSingleton<ClickHouseSpeedViewReader>();
        services.TryAddSingleton<ISpeedViewReader>(sp => sp.GetRequiredService<ClickHouseSpeedViewReader>());
        services.TryAddSingleton<ISpeedCoverageReader>(sp => sp.GetRequiredService<ClickHouseSpeedViewReader>());
        services.TryAddSingleton<IEventPublisher, KafkaEventPublisher>();
        services.TryAddSingleton<IBatchJobScheduler, HangfireBatchJobScheduler>();
        services.TryAddSingleton<IBatchStatusStore, PostgresBatchStatusStore>();
        services.AddOptions<DriftOptions>().Bind(configuration.GetSection(DriftOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DriftOptions>, DriftOptionsValidator>());
        services.TryAddSingleton<IDriftReportStore, PostgresDriftReportStore>();
        services.TryAddSingleton(sp => new PostgresAdHocJobStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton<IAdHocJobRequests>(sp => sp.GetRequiredService<PostgresAdHocJobStore>());

        services.AddLambdaTelemetry(configuration, "lambda-serving-layer");
        services.TryAddSingleton<ServingLayerMetrics>();
        services.TryAddSingleton<ViewQueryParser>();
        services.TryAddSingleton(sp => new ViewQueryEngine(
            sp.GetRequiredService<IBatchViewStore>(),
            sp.GetRequiredService<ISpeedViewReader>(),
            sp.GetRequiredService<ILogger<ViewQueryEngine>>(),
            sp.GetRequiredService<IOptions<ServingOptions>>().Value.ToQueryResultSharing(),
            sp.GetService<TimeProvider>(),
            sp.GetRequiredService<ServingLayerMetrics>(),
            sp.GetService<ISpeedCoverageReader>()));
        services.TryAddSingleton<EventIngestor>();
        services.AddOptions<IngestBackpressureOptions>()
            .Bind(configuration.GetSection(IngestBackpressureOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<IArchiverLagSource, PostgresArchiverLagSource>();
        services.TryAddSingleton<IngestGate>();
        if (configuration.GetSection(IngestBackpressureOptions.SectionName).GetValue(nameof(IngestBackpressureOptions.Enabled), true))
        {
            services.AddHostedService<IngestBackpressureMonitor>();
        }
        services.AddServingAlerts(configuration);
        services.AddPipelineHealth(configuration);

        services.AddOptions<QueryLimitsOptions>()
            .Bind(configuration.GetSection(QueryLimitsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<QueryWorkBudget>();
        services.AddRateLimiter(options => options.AddPolicy<string, QueryRateLimiterPolicy>(QueryRateLimiterPolicy.Name));
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>()
            .Configure<IOptions<QueryLimitsOptions>>((options, limits) => options.AddPolicy(QueryTimeoutPolicy.Name, QueryTimeoutPolicy.For(limits.Value)));

        services.TryAddSingleton<ApiKeyRegistry>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in ApiScopes.All)
        {
            authorization.AddPolicy(scope, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(ApiScopes.ClaimType, scope));
        }

        // Ahead of AddProblemDetails' default writer, which stays silent when Accept rules JSON out.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonWriter>());
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<ServingExceptionHandler>();
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.Converters.Add(new UtcInstantJsonConverter());
            options.SerializerOptions.DictionaryKeyPolicy = null;
        });

        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<ApiKeySecurityTransformer>();
            options.AddOperationTransformer<ApiKeySecurityTransformer>();
            options.AddOperationTransformer<AllowedValuesTransformer>();
        });

        services.TryAddSingleton<KafkaHealthCheck>();
        services.TryAddSingleton<PostgresHealthCheck>();
        var readinessTimeout = configuration.GetSection(ServingOptions.SectionName).GetValue<TimeSpan?>(nameof(ServingOptions.ReadinessTimeout))
            ?? new ServingOptions().ReadinessTimeout;
        services.AddHealthChecks()
            .AddCheck<KafkaHealthCheck>("kafka", tags: [HealthEndpoints.ReadyTag], timeout: readinessTimeout + TimeSpan.FromSeconds(1))
            .AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag], timeout: readinessTimeout);
        return services;
    }
}
