using Hangfire;
using Lambda.BatchLayer.Recompute;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Publishes a job's progress to the Hangfire dashboard (job parameter
/// <see cref="RecomputeJob.ProgressParameter"/>, rendered by <see cref="RecomputeProgressRenderer"/>)
/// and to the log. Writes at most once per <see cref="MinimumInterval"/> unless the stage changes,
/// each on its own storage connection (reports may come from any engine thread).
/// </summary>
public sealed class HangfireJobProgress : IProgress<RecomputeProgress>
{
    /// <summary>Least time between two writes within one stage.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(15);

    private readonly JobStorage _storage;
    private readonly string _jobId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private string? _lastStage;
    private long _lastWrite;
    private long _lastLog;

    /// <summary>Creates the sink for job <paramref name="jobId"/>.</summary>
    public HangfireJobProgress(JobStorage storage, string jobId, TimeProvider time, ILogger logger)
    {
        _storage = storage ?? throw new ArgumentNullException(nameof(storage));
        _jobId = jobId ?? throw new ArgumentNullException(nameof(jobId));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public void Report(RecomputeProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var now = _time.GetTimestamp();
        bool log;
        lock (_gate)
        {
            var stageChanged = !string.Equals(value.Stage, _lastStage, StringComparison.Ordinal);
            if (!stageChanged && _time.GetElapsedTime(_lastWrite, now) < MinimumInterval)
            {
                return;
            }

            log = stageChanged || _time.GetElapsedTime(_lastLog, now) >= LogInterval;
            _lastStage = value.Stage;
            _lastWrite = now;
            if (log)
            {
                _lastLog = now;
            }
        }

        if (log)
        {
            _logger.LogInformation(
                "Recompute job {JobId}: {Stage} {Completed}/{Total}, {RowsRead} rows read", _jobId, value.Stage, value.Completed, value.Total, value.RowsRead);
        }

        Write(value);
    }

    /// <summary>Writes <paramref name="value"/> now, whatever the throttle says (for the final state).</summary>
    public void Write(RecomputeProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        try
        {
            using var connection = _storage.GetConnection();
            connection.SetJobParameter(_jobId, RecomputeJob.ProgressParameter, RecomputeProgressSnapshot.From(value, _time.GetUtcNow()).ToJson());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The dashboard misses one update; the recompute goes on.
            _logger.LogWarning(ex, "Could not store the progress of job {JobId}", _jobId);
        }
    }
}
