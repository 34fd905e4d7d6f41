using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Lambda.BatchLayer.AdHoc;
using Lambda.BatchLayer.AnalystViews;
using Lambda.BatchLayer.Archive;
using Lambda.BatchLayer.Compaction;
using Lambda.BatchLayer.Dashboard;
using Lambda.BatchLayer.Drift;
using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Telemetry;
using Lambda.Shared.AdHoc;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Drift;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer;

/// <summary>
/// DI registration of the batch layer's scheduling side: options, run history, recompute lock,
/// runner, master-dataset compaction, ClickHouse loading, ad hoc SQL, and Hangfire (storage and client; server separately).
/// </summary>
public static class BatchSchedulingServiceCollectionExtensions
{
    /// <summary>
    /// Registers everything an in-process recompute and the ad hoc SQL command need: options
    /// (<c>Batch</c>, <c>Batch:Schedule</c>, <c>Batch:Load</c>, <c>Batch:Compaction</c>, validated on start), the catalog,
    /// ClickHouse, PostgreSQL (<c>ConnectionStrings:Postgres</c>), the run store, the recompute lock, the drift audit
    /// (<c>Drift</c>, <see cref="DriftAuditor"/>),
    /// the batch-view source and loader, the <see cref="RecomputeRunner"/>, and the batch engine
    /// (<see cref="AddLambdaBatchEngine"/>).
    /// </summary>
    public static IServiceCollection AddLambdaBatchLayer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<BatchLayerOptions>().BindConfiguration(BatchLayerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BatchScheduleOptions>().BindConfiguration(BatchScheduleOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BatchScheduleOptions>, BatchScheduleOptionsValidator>());
        services.AddOptions<BatchLoadOptions>().BindConfiguration(BatchLoadOptions.SectionName).ValidateOnStart();
        services.AddOptions<CompactionOptions>().BindConfiguration(CompactionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CompactionOptions>, CompactionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddLambdaCatalog();
        services.AddLambdaClickHouse(configuration.GetSection(ClickHouseOptions.SectionName));

        services.TryAddSingleton(_ => new BatchDatabase(configuration[BatchDatabase.ConnectionStringKey] ?? string.Empty));
        services.TryAddSingleton<IBatchRunStore, PostgresBatchRunStore>();
        services.TryAddSingleton<IRecomputeLock, PostgresRecomputeLock>();
        services.TryAddSingleton<IBatchViewLoader, ClickHouseBatchViewLoader>();
        services.TryAddSingleton<IExactViewPublisher, ClickHouseExactViewPublisher>();
        services.AddMetrics();
        services.TryAddSingleton<BatchLayerMetrics>();
        services.TryAddSingleton<RecomputeRunner>();
        services.TryAddSingleton<CompactionRunner>();
        // Before the engine: every instance on this PostgreSQL shares the chunks of a recompute.
        services.TryAddSingleton<IRecomputeChunkStore, PostgresRecomputeChunkStore>();

        // The drift audit after every publish (section Drift): it needs the run store's PostgreSQL, so only hosts with it audit.
        services.AddOptions<DriftOptions>().BindConfiguration(DriftOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DriftOptions>, DriftOptionsValidator>());
        services.TryAddSingleton<IDriftAuditStore, PostgresDriftAuditStore>();
        services.TryAddSingleton<IPublishedRunAuditor, DriftAuditor>();

        services.TryAddSingleton<IPublishedBatchViewFiles, ManifestBatchViewFiles>();
        services.TryAddSingleton<AdHocSqlEngine>();
        services.AddOptions<AdHocJobOptions>().BindConfiguration(AdHocJobOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new PostgresAdHocJobStore(sp.GetRequiredService<BatchDatabase>().DataSource));
        services.TryAddSingleton<IAdHocJobRuns>(sp => sp.GetRequiredService<PostgresAdHocJobStore>());

        services.AddLambdaBatchEngine(configuration);
        return services;
    }

    /// <summary>
    /// The one place where the recompute engine (<c>IRecomputeEngine</c> and the master dataset it reads,
    /// <c>batch-layer/Recompute</c> and <c>Dataset</c>) is registered, for every host (service and
    /// command line). An engine registered before this call (tests) wins.
    /// </summary>
    public static IServiceCollection AddLambdaBatchEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddLambdaRecomputeEngine(configuration);
    }

    /// <summary>
    /// The one place where the archiver (Kafka → master dataset, <c>batch-layer/Archive</c>) is
    /// registered; only the service (<c>serve</c>) calls it, so command-line runs never start it. The
    /// archiver runs only when <c>Batch:Archiver:Enabled</c> is true; then its lag is also judged (health check
    /// <see cref="ArchiverLagHealthCheck"/>, metric, log) and reported to PostgreSQL for the serving layer's back-pressure.
    /// </summary>
    public static IServiceCollection AddLambdaBatchArchiver(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLambdaArchiver(configuration);
        services.TryAddSingleton<ArchiverLagState>();
        services.AddHealthChecks().AddCheck<ArchiverLagHealthCheck>(ArchiverLagHealthCheck.Name, tags: [BatchHealthTags.Live]);
        if (services.Any(d => d.ServiceType == typeof(ArchiverService)))
        {
            services.TryAddSingleton<IArchiverLagStore, PostgresArchiverLagStore>();
            services.AddHostedService<ArchiverLagMonitor>();
        }

        return services;
    }

    /// <summary>
    /// The Hangfire dashboard's key check (<c>Batch:Dashboard</c>, validated on start: a Production start needs admin keys
    /// of its own) and the data protection its cookie uses. Only the service (<c>serve</c>) calls it.
    /// </summary>
    public static IServiceCollection AddLambdaBatchDashboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<BatchDashboardOptions>().BindConfiguration(BatchDashboardOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BatchDashboardOptions>, BatchDashboardOptionsValidator>());
        services.AddDataProtection();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DashboardKeyAuthorizer>();
        return services;
    }

    /// <summary>
    /// Registers Hangfire on PostgreSQL (schema <see cref="BatchScheduleOptions.HangfireSchema"/>) as
    /// DI services rather than globals (<see cref="JobStorage"/>, job activator, filter provider),
    /// the <see cref="RecomputeJob"/> with its retry filter, and <see cref="RecomputeJobClient"/>.
    /// Enough to enqueue; add <see cref="AddLambdaBatchHangfireServer"/> to process jobs.
    /// </summary>
    public static IServiceCollection AddLambdaBatchHangfire(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton<JobStorage>(sp =>
        {
            var connectionString = configuration[BatchDatabase.ConnectionStringKey];
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException($"{BatchDatabase.ConnectionStringKey} must be set: Hangfire keeps its jobs in PostgreSQL.");
            }

            var schedule = sp.GetRequiredService<IOptions<BatchScheduleOptions>>().Value;
            var storageOptions = new PostgreSqlStorageOptions
            {
                SchemaName = schedule.HangfireSchema,
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = schedule.QueuePollInterval,

                // A recompute can outlast the fixed 30-minute invisibility timeout, after which another
                // worker would take the same job again; the sliding timeout keeps it while its server lives.
                UseSlidingInvisibilityTimeout = true,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
        });

        // Registered before AddHangfire, whose TryAdd then keeps them: every host (and test) gets its
        // own activator and filters instead of Hangfire's process-wide defaults.
        services.TryAddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.TryAddSingleton<PerformContextAccessor>();
        services.TryAddSingleton<RecomputeJobFilterProvider>();
        services.TryAddSingleton<IJobFilterProvider>(sp =>
            new JobFilterProviderCollection(JobFilterProviders.Providers, sp.GetRequiredService<RecomputeJobFilterProvider>()));
        services.TryAddTransient<RecomputeJob>();
        // Jobs the serving layer enqueues name the shared interface; Hangfire's activator resolves it here.
        services.TryAddTransient<Lambda.Shared.Batch.IRecomputeJob>(sp => sp.GetRequiredService<RecomputeJob>());
        services.TryAddSingleton<RecomputeJobClient>();
        // A recompute's chunks become jobs any batch-layer server on this storage runs (batch-layer/README.md, "Several batch workers").
        services.TryAddSingleton<IRecomputeChunkDispatcher, HangfireChunkDispatcher>();
        services.TryAddTransient<RecomputeChunkJob>();
        services.TryAddTransient<CompactionJob>();
        services.TryAddSingleton<SpeedFlushWaiter>();
        services.TryAddTransient<BackfillJob>();
        // Ad hoc jobs the serving layer submits name the shared interface too.
        services.TryAddTransient<AdHocJobRunner>();
        services.TryAddTransient<IAdHocJob>(sp => sp.GetRequiredService<AdHocJobRunner>());

        services.AddHangfire((_, config) =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            RecomputeProgressRenderer.Register(config);
        });
        return services;
    }

    /// <summary>
    /// Adds a Hangfire server that processes the <see cref="RecomputeJob.Queue"/> queue with
    /// <see cref="BatchScheduleOptions.WorkerCount"/> workers.
    /// </summary>
    public static IServiceCollection AddLambdaBatchHangfireServer(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHangfireServer((sp, server) =>
        {
            var schedule = sp.GetRequiredService<IOptions<BatchScheduleOptions>>().Value;
            server.ServerName = $"lambda-batch:{RecomputeRunner.HostIdentity}";
            server.WorkerCount = schedule.WorkerCount;
            server.Queues = [RecomputeJob.Queue];
            server.SchedulePollingInterval = schedule.SchedulePollingInterval;
        });
        return services;
    }

    /// <summary>
    /// Registers (or, when <see cref="BatchScheduleOptions.RecurringJobEnabled"/> is false, removes)
    /// the nightly recurring recompute when the host starts, and enqueues the backfill of views without a published batch
    /// view of their current definition (<see cref="NewViewBackfillStarter"/>, <see cref="BatchScheduleOptions.BackfillNewViews"/>).
    /// </summary>
    public static IServiceCollection AddLambdaBatchRecurringJob(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<RecurringJobRegistrar>();
        services.AddHostedService<NewViewBackfillStarter>();
        services.AddHostedService<ExactViewStartup>();
        return services;
    }
}
