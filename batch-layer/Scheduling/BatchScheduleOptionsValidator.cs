using System.Text.RegularExpressions;
using Cronos;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>Checks <see cref="BatchScheduleOptions"/>; every failure names its configuration key.</summary>
public sealed partial class BatchScheduleOptionsValidator : IValidateOptions<BatchScheduleOptions>
{
    private const string Prefix = BatchScheduleOptions.SectionName + ":";

    /// <summary>Parses a Hangfire cron expression: five fields, or six with seconds first.</summary>
    /// <exception cref="CronFormatException">The expression is not valid.</exception>
    public static CronExpression ParseCron(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BatchScheduleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.Cron))
        {
            failures.Add($"{Prefix}Cron must be a cron expression, e.g. '0 2 * * *' (02:00 UTC).");
        }
        else
        {
            try
            {
                ParseCron(options.Cron);
            }
            catch (CronFormatException ex)
            {
                failures.Add($"{Prefix}Cron '{options.Cron}' is not a valid cron expression: {ex.Message}");
            }
        }

        if (string.IsNullOrEmpty(options.HangfireSchema) || !SchemaName().IsMatch(options.HangfireSchema))
        {
            failures.Add($"{Prefix}HangfireSchema must be a PostgreSQL identifier of lower-case letters, digits and '_' (got '{options.HangfireSchema}').");
        }

        if (options.WorkerCount is < 1 or > 64)
        {
            failures.Add($"{Prefix}WorkerCount must be between 1 and 64 (got {options.WorkerCount}).");
        }

        if (options.RetryAttempts is < 0 or > 100)
        {
            failures.Add($"{Prefix}RetryAttempts must be between 0 and 100 (got {options.RetryAttempts}).");
        }

        if (options.RetryDelays is { } delays)
        {
            for (var i = 0; i < delays.Count; i++)
            {
                if (delays[i] < TimeSpan.Zero || delays[i] > TimeSpan.FromDays(7))
                {
                    failures.Add($"{Prefix}RetryDelays:{i} must be between 0 and 7 days (got {delays[i]}).");
                }
            }
        }

        CheckPositive(failures, nameof(options.SchedulePollingInterval), options.SchedulePollingInterval);
        CheckPositive(failures, nameof(options.QueuePollInterval), options.QueuePollInterval);
        if (options.BackfillSpeedWait < TimeSpan.Zero || options.BackfillSpeedWait > TimeSpan.FromDays(1))
        {
            failures.Add($"{Prefix}BackfillSpeedWait must be between 0 and 1 day (got {options.BackfillSpeedWait}).");
        }

        if (options.LockWaitTimeout < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}LockWaitTimeout must not be negative (got {options.LockWaitTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPositive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{key} must be positive (got {value}).");
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
