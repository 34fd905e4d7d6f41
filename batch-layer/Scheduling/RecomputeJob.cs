using System.ComponentModel;
using System.Globalization;
using Hangfire;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Status;
using Lambda.Shared.Batch;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// The Hangfire job that recomputes batch views: the nightly recurring job
/// (<see cref="RecurringJobId"/>), on-demand and backfill runs from the command line and from the
/// serving layer's admin API. Its contract is stable so other services can enqueue it on the same
/// PostgreSQL storage without referencing this assembly: type
/// <c>Lambda.BatchLayer.Scheduling.RecomputeJob, Lambda.BatchLayer</c>, method
/// <see cref="RunAsync"/> with parameter types (string, string, string, string, CancellationToken),
/// queue <see cref="Queue"/>.
/// </summary>
public sealed class RecomputeJob : IRecomputeJob
{
    /// <summary>The Hangfire queue recomputes run on (the batch layer's servers listen to it).</summary>
    public const string Queue = "batch";

    /// <summary>The id of the nightly recurring job.</summary>
    public const string RecurringJobId = "lambda-batch-recompute";

    /// <summary>The job parameter that holds the progress (JSON, <see cref="RecomputeProgressSnapshot"/>).</summary>
    public const string ProgressParameter = "LambdaRecomputeProgress";

    /// <summary>The <c>requestedBy</c> of the recurring job.</summary>
    public const string ScheduleRequester = "schedule";

    /// <summary>The <c>requestedBy</c> of jobs enqueued through <see cref="IRecomputeJob"/> (the serving layer's admin API).</summary>
    public const string ApiRequester = "api";

    private readonly RecomputeRunner _runner;
    private readonly PerformContextAccessor _accessor;
    private readonly TimeProvider _time;
    private readonly ILogger<RecomputeJob> _logger;

    /// <summary>Created by Hangfire's job activator from DI.</summary>
    public RecomputeJob(RecomputeRunner runner, PerformContextAccessor accessor, TimeProvider time, ILogger<RecomputeJob> logger)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _accessor = accessor ?? throw new ArgumentNullException(nameof(accessor));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Runs one recompute. Arguments (all optional strings): <paramref name="mode"/> =
    /// <c>incremental</c> | <c>full</c> | <c>backfill</c> (empty: backfill when a range is given,
    /// else incremental); <paramref name="from"/>/<paramref name="to"/> = first and last UTC day of a
    /// backfill, <c>yyyy-MM-dd</c>; <paramref name="requestedBy"/> = who asked (<c>schedule</c>,
    /// <c>api</c>, <c>cli</c>; recorded in <c>batch_runs</c>). Hangfire passes the cancellation token.
    /// Returns a one-line summary, which the dashboard shows as the job's result.
    /// </summary>
    [Queue(Queue)]
    [DisplayName("Batch recompute: {0} {1} {2} ({3})")]
    public async Task<string> RunAsync(string? mode, string? from, string? to, string? requestedBy, CancellationToken cancellationToken)
    {
        var request = RecomputeRequestValidator.Validate(new RecomputeArguments { Mode = mode, From = from, To = to });
        var context = _accessor.Current;
        var jobId = context?.BackgroundJob?.Id;
        var attempt = context is null ? 1 : context.GetJobParameter<int>("RetryCount", allowStale: true) + 1;
        var progress = context is not null && jobId is not null
            ? new HangfireJobProgress(context.Storage, jobId, _time, _logger)
            : null;

        var run = await _runner.RunAsync(
            new RecomputeRun
            {
                Request = request,
                RequestedBy = string.IsNullOrWhiteSpace(requestedBy) ? "unknown" : requestedBy.Trim(),
                JobId = jobId,
                Attempt = attempt,
            },
            progress,
            cancellationToken).ConfigureAwait(false);

        progress?.Write(new RecomputeProgress("done", run.DaysRecomputed, run.DaysRecomputed, run.RowsRead));
        return Summarize(run);
    }

    /// <summary>
    /// The shared job contract the serving layer enqueues (it cannot reference this assembly); runs
    /// exactly like <see cref="RunAsync(string?, string?, string?, string?, CancellationToken)"/> requested by the API.
    /// </summary>
    Task IRecomputeJob.RunAsync(string mode, string? from, string? to, CancellationToken cancellationToken) =>
        RunAsync(mode, from, to, ApiRequester, cancellationToken);

    /// <summary>The one-line summary of a finished run.</summary>
    public static string Summarize(BatchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{run.State.ToName()}: run {run.Id}, engine run {run.EngineRunId}, {run.DaysRecomputed} days recomputed, {run.DaysLoaded} loaded into ClickHouse, {run.RowsRead} rows read, {run.RowsWritten} rows written");
    }
}
