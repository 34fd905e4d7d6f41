using System.ComponentModel;
using Hangfire;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// The Hangfire job that fills the history of new or changed views (<see cref="NewViewBackfillStarter"/> enqueues it when
/// the service starts): an incremental recompute of exactly those views, which for a view without a published batch view
/// of its definition recomputes every archived day below its new watermarks, and carries every other view over unchanged.
/// It runs only the views that still need it when it starts, so a second job for the same views (two instances started at
/// once) finds nothing left to do.
/// </summary>
public sealed partial class BackfillJob
{
    /// <summary>The <c>requestedBy</c> recorded in <c>batch_runs</c> for these runs.</summary>
    public const string Requester = "backfill";

    private readonly RecomputeRunner _runner;
    private readonly IManifestStore _manifests;
    private readonly LambdaCatalog _catalog;
    private readonly SpeedFlushWaiter _waiter;
    private readonly PerformContextAccessor _accessor;
    private readonly BatchScheduleOptions _options;
    private readonly ILogger<BackfillJob> _logger;

    /// <summary>Created by Hangfire's job activator from DI.</summary>
    public BackfillJob(
        RecomputeRunner runner,
        IManifestStore manifests,
        LambdaCatalog catalog,
        SpeedFlushWaiter waiter,
        PerformContextAccessor accessor,
        IOptions<BatchScheduleOptions> options,
        ILogger<BackfillJob> logger)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _manifests = manifests ?? throw new ArgumentNullException(nameof(manifests));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _waiter = waiter ?? throw new ArgumentNullException(nameof(waiter));
        _accessor = accessor ?? throw new ArgumentNullException(nameof(accessor));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Backfills <paramref name="views"/> (comma-separated view names): those still in the catalog and still without a
    /// published batch view of their current definition, after waiting (at most <see cref="BatchScheduleOptions.BackfillSpeedWait"/>)
    /// for the speed layer's first flush of each. Returns a one-line summary for the dashboard.
    /// </summary>
    [Queue(RecomputeJob.Queue)]
    [DisplayName("Batch backfill of new views: {0}")]
    public async Task<string> RunAsync(string views, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(views);
        var requested = views.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var manifest = await _manifests.LoadAsync(cancellationToken).ConfigureAwait(false);
        var names = BackfillDecision.ViewsToBackfill(_catalog.Views.Where(v => requested.Contains(v.Name)), manifest);
        if (names.Count == 0)
        {
            LogNothingLeft(_logger, views);
            return $"nothing to do: views {views} have published batch views of their current definitions (or left the catalog)";
        }

        var definitions = names.Select(_catalog.GetView).ToArray();
        await _waiter.WaitAsync(definitions, _options.BackfillSpeedWait, cancellationToken).ConfigureAwait(false);

        var context = _accessor.Current;
        var run = await _runner.RunAsync(
            new RecomputeRun
            {
                Request = new RecomputeRequest { Mode = RecomputeMode.Incremental, Views = names },
                RequestedBy = Requester,
                JobId = context?.BackgroundJob?.Id,
                Attempt = context is null ? 1 : context.GetJobParameter<int>("RetryCount", allowStale: true) + 1,
            },
            null,
            cancellationToken).ConfigureAwait(false);
        return $"views {string.Join(", ", names)}: {RecomputeJob.Summarize(run)}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill of views {Views}: every one has a published batch view of its current definition by now, or left the catalog; nothing to do")]
    private static partial void LogNothingLeft(ILogger logger, string views);
}
