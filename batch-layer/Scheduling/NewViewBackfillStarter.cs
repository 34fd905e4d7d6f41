using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Deployment;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// When the service starts, enqueues one <see cref="BackfillJob"/> for the catalog views without a published batch view of
/// their current definition (<see cref="BackfillDecision"/>), unless <see cref="BatchScheduleOptions.BackfillNewViews"/> is false.
/// </summary>
/// <remarks>
/// Several instances may start at once, and one may restart while its job waits or runs. Under a Hangfire distributed lock
/// each view's pending job is recorded in the hash <see cref="PendingHash"/> (field <c>view@definition hash</c>); a view whose
/// recorded job is still enqueued, scheduled for a retry, awaiting or processing is not enqueued again. Should a duplicate slip
/// through anyway, it is harmless: the job runs only the views still missing when it starts, under the recompute lock's order.
/// </remarks>
public sealed partial class NewViewBackfillStarter : IHostedService
{
    /// <summary>The Hangfire hash of pending backfill jobs.</summary>
    public const string PendingHash = "lambda-batch:backfill-pending";

    private const string LockResource = "lambda-batch:backfill-new-views";

    private static readonly HashSet<string> ActiveStates =
        [EnqueuedState.StateName, ScheduledState.StateName, AwaitingState.StateName, ProcessingState.StateName];

    private readonly JobStorage _storage;
    private readonly IBackgroundJobClient _client;
    private readonly IManifestStore _manifests;
    private readonly LambdaCatalog _catalog;
    private readonly BatchScheduleOptions _options;
    private readonly ILogger<NewViewBackfillStarter> _logger;
    private readonly bool _kappa;

    /// <summary>Creates the starter.</summary>
    public NewViewBackfillStarter(
        JobStorage storage,
        IBackgroundJobClient client,
        IManifestStore manifests,
        LambdaCatalog catalog,
        IOptions<BatchScheduleOptions> options,
        ILogger<NewViewBackfillStarter> logger,
        IOptions<LambdaModeOptions> mode)
    {
        _kappa = (mode ?? throw new ArgumentNullException(nameof(mode))).Value.IsKappa;
        _storage = storage ?? throw new ArgumentNullException(nameof(storage));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _manifests = manifests ?? throw new ArgumentNullException(nameof(manifests));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.BackfillNewViews || _kappa)
        {
            LogDisabled(_logger);
            return;
        }

        var manifest = await _manifests.LoadAsync(cancellationToken).ConfigureAwait(false);
        var missing = BackfillDecision.ViewsToBackfill(_catalog.Views, manifest);
        if (missing.Count == 0)
        {
            LogNothingMissing(_logger, _catalog.Views.Count);
            return;
        }

        EnqueueOnce(missing);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void EnqueueOnce(IReadOnlyList<string> missing)
    {
        using var connection = _storage.GetConnection();
        using var distributedLock = connection.AcquireDistributedLock(LockResource, TimeSpan.FromMinutes(1));
        var pending = connection.GetAllEntriesFromHash(PendingHash) ?? new Dictionary<string, string>();
        var toEnqueue = new List<string>();
        foreach (var name in missing)
        {
            if (pending.TryGetValue(Key(name), out var jobId) && connection.GetStateData(jobId)?.Name is { } state && ActiveStates.Contains(state))
            {
                LogAlreadyPending(_logger, name, jobId, state);
                continue;
            }

            toEnqueue.Add(name);
        }

        if (toEnqueue.Count == 0)
        {
            return;
        }

        var views = string.Join(',', toEnqueue);
        var newJobId = _client.Enqueue<BackfillJob>(RecomputeJob.Queue, job => job.RunAsync(views, CancellationToken.None));
        using (var transaction = connection.CreateWriteTransaction())
        {
            transaction.SetRangeInHash(PendingHash, toEnqueue.Select(name => new KeyValuePair<string, string>(Key(name), newJobId)));
            transaction.Commit();
        }

        LogEnqueued(_logger, views, newJobId, RecomputeJob.Queue);
    }

    private string Key(string view) => $"{view}@{_catalog.GetView(view).DefinitionHash}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill of new views is off (Batch:Schedule:BackfillNewViews = false, or Lambda:Mode = kappa: the speed layer replays instead)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "All {Count} catalog views have a published batch view of their current definition; no backfill")]
    private static partial void LogNothingMissing(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "View {View} has no published batch view of its definition; backfill job {JobId} is already {State}")]
    private static partial void LogAlreadyPending(ILogger logger, string view, string jobId, string state);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Views {Views} have no published batch view of their current definition: enqueued backfill job {JobId} on queue {Queue}")]
    private static partial void LogEnqueued(ILogger logger, string views, string jobId, string queue);
}
