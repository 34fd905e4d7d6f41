using Hangfire;
using Hangfire.Common;
using Lambda.Shared.Batch;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Adds the filters of <see cref="RecomputeJob"/>: an <see cref="AutomaticRetryAttribute"/> built from
/// <see cref="BatchScheduleOptions"/> (method scope, so it replaces Hangfire's global 10-attempt
/// default for this job only; invalid arguments are not retried) and the <see cref="PerformContextAccessor"/>.
/// Configured per host rather than as attributes, so retries follow configuration (and tests can use short delays).
/// </summary>
public sealed class RecomputeJobFilterProvider : IJobFilterProvider
{
    private readonly Lazy<JobFilter[]> _filters;

    /// <summary>Creates the provider.</summary>
    public RecomputeJobFilterProvider(IOptions<BatchScheduleOptions> options, PerformContextAccessor accessor)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(accessor);
        var schedule = options.Value;

        // Built on first use: AutomaticRetryAttribute takes a logger from Hangfire's process-wide log
        // provider when constructed, which is only set once the host has configured Hangfire.
        _filters = new Lazy<JobFilter[]>(() =>
        [
            new JobFilter(
                new AutomaticRetryAttribute
                {
                    Attempts = schedule.RetryAttempts,
                    DelaysInSeconds = schedule.GetRetryDelays().Select(d => (int)Math.Ceiling(d.TotalSeconds)).ToArray(),
                    OnAttemptsExceeded = AttemptsExceededAction.Fail,
                    ExceptOn = [typeof(InvalidRecomputeRequestException)],
                    LogEvents = true,
                },
                JobFilterScope.Method,
                null),
            new JobFilter(accessor, JobFilterScope.Method, null),
        ]);
    }

    /// <inheritdoc />
    public IEnumerable<JobFilter> GetFilters(Job job) =>
        job?.Type == typeof(RecomputeJob) || job?.Type == typeof(IRecomputeJob) || job?.Type == typeof(BackfillJob) ? _filters.Value : [];
}
