using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Catalog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Waits until the speed layer has flushed each view at least once in every partition the master dataset holds events
/// of. A batch watermark must be one of the view's flush boundaries (<see cref="IFlushBoundarySource"/>); a recompute of a
/// view the speed layer has not flushed yet would publish a batch view that covers nothing.
/// </summary>
public sealed partial class SpeedFlushWaiter
{
    /// <summary>How often the speed tables are asked again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private readonly IFlushBoundarySource _boundaries;
    private readonly BatchLayerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SpeedFlushWaiter> _logger;
    private readonly IMasterCommitLogs? _datasets;

    /// <summary>
    /// Creates the waiter over the master dataset of <paramref name="datasets"/> (the configured storage kind; without it,
    /// the commit logs under the dataset root of <paramref name="options"/>).
    /// </summary>
    public SpeedFlushWaiter(IFlushBoundarySource boundaries, IOptions<BatchLayerOptions> options, TimeProvider time, ILogger<SpeedFlushWaiter> logger, IMasterCommitLogs? datasets = null)
    {
        _datasets = datasets;
        _boundaries = boundaries ?? throw new ArgumentNullException(nameof(boundaries));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Returns true as soon as every view in <paramref name="views"/> has a flush boundary in each archived partition of its
    /// source, false when <paramref name="timeout"/> passed first (the caller recomputes anyway; the views still waiting are logged).
    /// </summary>
    public async Task<bool> WaitAsync(IReadOnlyList<ViewDefinition> views, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(views);
        var started = _time.GetTimestamp();
        var datasets = _datasets ?? new LocalCommitLogs(_options.GetDatasetRootPath());
        while (true)
        {
            var committed = new Dictionary<SourceDefinition, IReadOnlyDictionary<int, long>>();
            foreach (var source in views.Select(v => v.Source).Distinct())
            {
                committed[source] = await datasets.Open(source.Name).ReadCommittedEndsAsync(cancellationToken).ConfigureAwait(false);
            }

            var ends = views.Distinct().ToDictionary(
                v => v,
                v => (IReadOnlyDictionary<int, long>)committed[v.Source].Where(e => e.Value > 0).ToDictionary(e => e.Key, e => e.Value));
            var found = await _boundaries.GetHighestBoundariesAsync(ends, cancellationToken).ConfigureAwait(false);
            var waiting = views.Distinct().Where(v => ends[v].Keys.Any(p => !found[v].ContainsKey(p))).Select(v => v.Name).ToList();

            if (waiting.Count == 0)
            {
                return true;
            }

            if (_time.GetElapsedTime(started) >= timeout)
            {
                LogGaveUp(_logger, string.Join(", ", waiting), timeout);
                return false;
            }

            LogWaiting(_logger, string.Join(", ", waiting));
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill waits for the speed layer's first flush of views {Views} in every archived partition")]
    private static partial void LogWaiting(ILogger logger, string views);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The speed layer has not flushed views {Views} in every archived partition within {Timeout}; recomputing anyway (partitions without a flush keep batch watermark 0 until a later run)")]
    private static partial void LogGaveUp(ILogger logger, string views, TimeSpan timeout);
}
