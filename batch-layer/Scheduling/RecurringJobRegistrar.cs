using Hangfire;
using Lambda.BatchLayer.Compaction;
using Lambda.Shared.Batch;
using Lambda.Shared.Deployment;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Registers (or removes) the nightly recurring recompute and the quarter-hourly master-dataset compaction
/// (<see cref="CompactionJob"/>, <c>Batch:Compaction</c>) when the host starts. Every instance does
/// it; Hangfire's recurring-job lock makes that safe and the last writer's cron wins.
/// </summary>
public sealed class RecurringJobRegistrar : IHostedService
{
    private readonly IRecurringJobManager _manager;
    private readonly BatchScheduleOptions _options;
    private readonly CompactionOptions _compaction;
    private readonly ILogger<RecurringJobRegistrar> _logger;
    private readonly bool _kappa;

    /// <summary>Creates the registrar.</summary>
    public RecurringJobRegistrar(
        IRecurringJobManager manager, IOptions<BatchScheduleOptions> options, IOptions<CompactionOptions> compaction, ILogger<RecurringJobRegistrar> logger,
        IOptions<LambdaModeOptions> mode)
    {
        _kappa = (mode ?? throw new ArgumentNullException(nameof(mode))).Value.IsKappa;
        _manager = manager ?? throw new ArgumentNullException(nameof(manager));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _compaction = compaction?.Value ?? throw new ArgumentNullException(nameof(compaction));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Adds or updates the recurring job with the configured cron (UTC).</summary>
    public static void Register(IRecurringJobManager manager, string cron)
    {
        ArgumentNullException.ThrowIfNull(manager);
        manager.AddOrUpdate<RecomputeJob>(
            RecomputeJob.RecurringJobId,
            RecomputeJob.Queue,
            job => job.RunAsync(RecomputeModeNames.Incremental, null, null, RecomputeJob.ScheduleRequester, CancellationToken.None),
            cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }

    /// <summary>Adds or updates the recurring compaction with <paramref name="cron"/> (UTC), on the recompute queue.</summary>
    public static void RegisterCompaction(IRecurringJobManager manager, string cron)
    {
        ArgumentNullException.ThrowIfNull(manager);
        manager.AddOrUpdate<CompactionJob>(
            CompactionJob.RecurringJobId,
            RecomputeJob.Queue,
            job => job.RunAsync(CancellationToken.None),
            cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.RecurringJobEnabled && !_kappa)
        {
            Register(_manager, _options.Cron);
            _logger.LogInformation(
                "Recurring job {RecurringJobId} scheduled with cron '{Cron}' (UTC) on queue {Queue}", RecomputeJob.RecurringJobId, _options.Cron, RecomputeJob.Queue);
        }
        else
        {
            _manager.RemoveIfExists(RecomputeJob.RecurringJobId);
            _logger.LogInformation(
                "Recurring job {RecurringJobId} is disabled ({Reason})",
                RecomputeJob.RecurringJobId,
                _kappa ? "Lambda:Mode = kappa" : "Batch:Schedule:RecurringJobEnabled = false");
        }

        if (_compaction.RecurringJobEnabled)
        {
            RegisterCompaction(_manager, _compaction.Cron);
            _logger.LogInformation(
                "Recurring job {RecurringJobId} scheduled with cron '{Cron}' (UTC) on queue {Queue}", CompactionJob.RecurringJobId, _compaction.Cron, RecomputeJob.Queue);
        }
        else
        {
            _manager.RemoveIfExists(CompactionJob.RecurringJobId);
            _logger.LogInformation("Recurring job {RecurringJobId} is disabled (Batch:Compaction:RecurringJobEnabled = false)", CompactionJob.RecurringJobId);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
