using Lambda.BatchLayer.Archive.Fencing;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.Kafka;
using Lambda.Shared.Kafka.Epochs;
using Lambda.Shared.Schema;
using Lambda.Shared.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// The hosted archiver: one consumer (on its own thread) per archived source. If one source fails, the
/// others are stopped too and the failure is rethrown, which stops the host.
/// </summary>
public sealed class ArchiverService : BackgroundService
{
    private readonly LambdaCatalog _catalog;
    private readonly ArchiverOptions _options;
    private readonly string _root;
    private readonly IObjectStore _store;
    private readonly IMasterCommitLogs _logs;
    private readonly KafkaClientConfigFactory _kafka;
    private readonly ArchiverMetrics _metrics;
    private readonly EpochPlanner _epochs;
    private readonly OffsetEpochStatus _epochStatus;
    private readonly TimeSpan _stoppedRecheck;
    private readonly IArchiverFence _fence;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<ArchiverService> _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the service (resolved from DI).</summary>
    public ArchiverService(
        LambdaCatalog catalog,
        IOptions<ArchiverOptions> options,
        IOptions<BatchStorageOptions> storage,
        IMasterCommitLogs logs,
        KafkaClientConfigFactory kafka,
        IOptions<KafkaOptions> kafkaOptions,
        ArchiverMetrics metrics,
        EpochPlanner epochs,
        OffsetEpochStatus epochStatus,
        IArchiverFence fence,
        ILoggerFactory loggers,
        TimeProvider time,
        IObjectStore store)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(kafkaOptions);
        _catalog = catalog;
        _options = options.Value;
        _root = storage.Value.ResolveRoot();
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _logs = logs ?? throw new ArgumentNullException(nameof(logs));
        _kafka = kafka;
        _metrics = metrics;
        _epochs = epochs;
        _epochStatus = epochStatus;
        _stoppedRecheck = kafkaOptions.Value.StoppedPartitionRecheck;
        _fence = fence;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ArchiverService>();
        _time = time;
    }

    /// <summary>The failure that stopped the archiver, or null.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The sources this service archives.</summary>
    public IReadOnlyList<SourceDefinition> Sources => ResolveSources(_catalog, _options);

    /// <summary>The sources selected by <see cref="ArchiverOptions.Sources"/>.</summary>
    /// <exception cref="InvalidOperationException">A configured source is not in the catalog.</exception>
    public static IReadOnlyList<SourceDefinition> ResolveSources(LambdaCatalog catalog, ArchiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Sources.Count == 0)
        {
            return catalog.Sources;
        }

        return options.Sources.Select(name => catalog.TryGetSource(name, out var source)
                ? source
                : throw new InvalidOperationException(
                    $"{ArchiverOptions.SectionName}:{nameof(ArchiverOptions.Sources)} names '{name}', which is not a source of the catalog ({string.Join(", ", catalog.Sources.Select(s => s.Name))})"))
            .Distinct()
            .ToArray();
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sources = Sources;
        // Checked and recorded before the first write: the archiver is what makes the record true.
        try
        {
            await ArchivedSchemaStore.CheckAndRecordAsync(_store, _root, sources, stoppingToken).ConfigureAwait(false);
        }
        catch (SchemaIncompatibleException ex)
        {
            Failure = ex;
            throw;
        }

        _logger.LogInformation("Archiver starting for sources {Sources} into {Root}", string.Join(", ", sources.Select(s => s.Name)), _root);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var tasks = sources.Select(source => Task.Factory.StartNew(
            () =>
            {
                try
                {
                    new SourceArchiver(source, _logs.Open(source.Name), _options, _kafka, _metrics, _epochs, _epochStatus, _stoppedRecheck, _fence, _loggers.CreateLogger($"{typeof(SourceArchiver).FullName}.{source.Name}"), _time)
                        .Run(failed.Token);
                }
                catch (Exception ex)
                {
                    _logger.LogCritical(ex, "Archiver for source {Source} failed; stopping the archiver", source.Name);
                    Failure ??= ex;
                    failed.Cancel();
                    throw;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch when (Failure is not null)
        {
            throw Failure;
        }

        _logger.LogInformation("Archiver stopped");
    }
}
