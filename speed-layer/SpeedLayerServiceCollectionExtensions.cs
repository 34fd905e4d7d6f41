using Lambda.Shared.Lookups;
using Lambda.SpeedLayer.Lookups;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Kafka;
using Lambda.Shared.Schema;
using Lambda.Shared.Kafka.Epochs;
using Lambda.SpeedLayer.Storage;
using Lambda.Shared.SpeedViews;
using Lambda.Shared.Telemetry;
using Lambda.SpeedLayer.DeadLetters;
using Lambda.SpeedLayer.Fencing;
using Lambda.SpeedLayer.Health;
using Lambda.SpeedLayer.Hosting;
using Lambda.SpeedLayer.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.SpeedLayer;

/// <summary>DI registration of the speed layer.</summary>
public static class SpeedLayerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the speed layer: the catalog (<c>Catalog</c>), Kafka (<c>Kafka</c>), ClickHouse
    /// (<c>ClickHouse</c>) and the speed tables, <see cref="SpeedLayerOptions"/> (<c>SpeedLayer</c>, validated on
    /// start), the fencing tokens (PostgreSQL, <c>ConnectionStrings:Postgres</c>, unless <c>SpeedLayer:Fencing</c> is false), the dead-letter producer, metrics and traces (the shared telemetry registration, <c>Telemetry</c>), the health checks
    /// (tag <c>live</c>: liveness; tag <c>ready</c>: readiness, ClickHouse included) and the worker.
    /// </summary>
    public static IServiceCollection AddSpeedLayer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLambdaCatalog();
        services.AddLambdaKafka(configuration);
        services.AddLambdaClickHouse(configuration.GetSection(ClickHouseOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISpeedTableWriter, ClickHouseSpeedTableWriter>();
        services.AddLambdaOffsetEpochs();

        services.AddOptions<SpeedLayerOptions>()
            .Bind(configuration.GetSection(SpeedLayerOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpeedLayerOptions>, SpeedLayerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpeedLayerOptions>, FencingOptionsValidator>());
        services.TryAddSingleton<IFencingTokenSource>(sp => sp.GetRequiredService<IOptions<SpeedLayerOptions>>().Value.Fencing
            ? ActivatorUtilities.CreateInstance<PostgresFencingTokenSource>(sp, NpgsqlDataSource.Create(configuration.GetConnectionString("Postgres")!))
            : new UnfencedTokenSource());
        services.AddOptions<HostOptions>().Configure<IOptions<SpeedLayerOptions>>(
            (host, speed) => host.ShutdownTimeout = speed.Value.DrainTimeout + TimeSpan.FromSeconds(10));

        services.AddLambdaTelemetry(configuration, "lambda-speed-layer");
        services.TryAddSingleton<SpeedLayerMetrics>();
        services.TryAddSingleton<SpeedLayerStatus>();
        services.TryAddSingleton<IDeadLetterSink, KafkaDeadLetterSink>();
        // Before the worker: the speed layer reads the same events the archiver keeps, so it refuses the same catalog changes.
        services.AddSchemaCompatibilityCheck(configuration);
        services.AddLambdaLookups(configuration);
        services.TryAddSingleton<LookupRefresher>();
        services.TryAddSingleton<ILookupSnapshotSource>(sp => sp.GetRequiredService<LookupRefresher>());
        services.AddHostedService(sp => sp.GetRequiredService<LookupRefresher>());
        services.AddHostedService<SpeedLayerWorker>();

        services.AddHealthChecks()
            .AddCheck<SpeedLayerLivenessCheck>("speed-layer-live", tags: ["live"])
            .AddCheck<SpeedLayerReadinessCheck>("speed-layer", tags: ["ready"])
            .AddCheck<StoppedPartitionsHealthCheck>(StoppedPartitionsHealthCheck.Name, tags: ["ready"]);
        return services;
    }
}
