using Lambda.Shared.Lookups;
using System.Diagnostics.Metrics;
using Lambda.BatchLayer.BatchViews;
using Lambda.BatchLayer.Archive;
using Lambda.BatchLayer.Archive.Fencing;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Retention;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Schema;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Kafka;
using Lambda.Shared.Kafka.Epochs;
using Lambda.BatchLayer.SpeedTables;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer;

/// <summary>DI registration of the batch layer's engine: the archiver and the recompute engine.</summary>
public static class BatchEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the archiver: <see cref="ArchiverOptions"/> (section <c>Batch:Archiver</c>), the dataset root
    /// (<see cref="BatchStorageOptions"/>, <c>Batch:DatasetRoot</c>), the catalog and <see cref="ArchiverMetrics"/>.
    /// When <c>Batch:Archiver:Enabled</c> is true (read now, at registration), also the Kafka settings and
    /// the hosted <see cref="ArchiverService"/> (resolvable as itself, e.g. for health checks); otherwise nothing
    /// that needs Kafka is registered. Options are validated on start.
    /// </summary>
    public static IServiceCollection AddLambdaArchiver(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCommon(services, configuration);
        services.AddOptions<ArchiverOptions>()
            .Bind(configuration.GetSection(ArchiverOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArchiverOptions>, ArchiverOptionsValidator>());
        services.TryAddSingleton(sp => new ArchiverMetrics(sp.GetService<IMeterFactory>()));
        if (configuration.GetSection(ArchiverOptions.SectionName).GetValue<bool>(nameof(ArchiverOptions.Enabled))
            && !services.Any(d => d.ServiceType == typeof(ArchiverService)))
        {
            if (!services.Any(d => d.ServiceType == typeof(KafkaClientConfigFactory)))
            {
                services.AddLambdaKafka(configuration);
            }

            if (!services.Any(d => d.ServiceType == typeof(IClickHouseClient)))
            {
                services.AddLambdaClickHouse(configuration.GetSection(ClickHouseOptions.SectionName));
            }

            // The epoch registry lives in ClickHouse, beside the speed tables: one place both consumers reach.
            services.AddLambdaOffsetEpochs();
            if (configuration.GetSection(ArchiverOptions.SectionName).GetValue<bool>(nameof(ArchiverOptions.Fencing)))
            {
                services.TryAddSingleton(_ => new BatchDatabase(configuration[BatchDatabase.ConnectionStringKey] ?? string.Empty));
                services.TryAddSingleton<IArchiverFence, PostgresArchiverFence>();
            }
            else
            {
                services.TryAddSingleton<IArchiverFence, UnfencedArchiver>();
            }

            services.AddSingleton<ArchiverService>();
            services.AddHostedService(sp => sp.GetRequiredService<ArchiverService>());
            services.AddHealthChecks()
                .AddCheck<ArchiverReadinessCheck>("archiver", tags: [BatchHealthTags.Ready])
                .AddCheck<StoppedPartitionsHealthCheck>(StoppedPartitionsHealthCheck.Name, tags: [BatchHealthTags.Ready]);
        }

        return services;
    }

    /// <summary>
    /// Registers <see cref="IRecomputeEngine"/> (<see cref="RecomputeEngine"/>) with <see cref="RecomputeOptions"/>
    /// (section <c>Batch:Recompute</c>), the dataset root, the catalog, the batch-view manifest store and reader
    /// (<see cref="BatchViewsServiceCollectionExtensions.AddLambdaBatchViews"/>), the <see cref="BatchViewWriter"/> and
    /// <see cref="IFlushBoundarySource"/> (<see cref="SpeedTableFlushBoundarySource"/> over the shared speed-table store; the ClickHouse client is
    /// registered from the <c>ClickHouse</c> section unless it already is). Replace <see cref="IFlushBoundarySource"/>
    /// by registering another implementation first. Also <see cref="BatchViewRetention"/> with
    /// <see cref="RetentionOptions"/> (section <c>Batch:Retention</c>), which the engine runs after every run, and the
    /// start-up <see cref="SchemaCompatibilityCheck"/>. The run's chunks go through <see cref="ChunkWorker"/> and an
    /// <see cref="IRecomputeChunkStore"/> (in memory unless one is registered first; an <see cref="IRecomputeChunkDispatcher"/>,
    /// when registered, offers them to other workers).
    /// </summary>
    public static IServiceCollection AddLambdaRecomputeEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCommon(services, configuration);
        services.AddOptions<RecomputeOptions>()
            .Bind(configuration.GetSection(RecomputeOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (!services.Any(d => d.ServiceType == typeof(IClickHouseClient)))
        {
            services.AddLambdaClickHouse(configuration.GetSection(ClickHouseOptions.SectionName));
        }

        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton<BatchViewRetention>();
        services.TryAddSingleton<ISpeedTableMaintenance, ClickHouseSpeedTableMaintenance>();
        services.TryAddSingleton<SpeedDeltaRetention>();
        services.TryAddSingleton<IFlushBoundarySource, SpeedTableFlushBoundarySource>();
        services.AddLambdaLookups(configuration);
        services.TryAddSingleton<BatchViewWriter>();
        // Chunks are recorded in memory unless a shared store (PostgreSQL, AddLambdaBatchLayer) was registered first.
        services.TryAddSingleton<IRecomputeChunkStore>(sp => new InMemoryRecomputeChunkStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ChunkExecutor>();
        services.TryAddSingleton<ChunkWorker>();
        services.TryAddSingleton<IRecomputeEngine, RecomputeEngine>();
        // A catalog that would misread the archived files stops the host before it recomputes (the archiver checks
        // and records by itself, in ArchiverService, before it writes).
        services.AddSchemaCompatibilityCheck(configuration);
        return services;
    }

    private static void AddCommon(IServiceCollection services, IConfiguration configuration)
    {
        if (!services.Any(d => d.ServiceType == typeof(LambdaCatalog)))
        {
            services.AddLambdaCatalog();
        }

        if (!services.Any(d => d.ServiceType == typeof(IManifestStore)))
        {
            services.AddLambdaBatchViews(configuration);
        }

        services.TryAddSingleton(TimeProvider.System);
    }
}
