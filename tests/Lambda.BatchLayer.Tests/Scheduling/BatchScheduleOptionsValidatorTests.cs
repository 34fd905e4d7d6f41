using Lambda.BatchLayer.Scheduling;

namespace Lambda.BatchLayer.Tests.Scheduling;

public sealed class BatchScheduleOptionsValidatorTests
{
    private readonly BatchScheduleOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid_and_schedule_02_00_utc()
    {
        var options = new BatchScheduleOptions();
        Assert.True(_validator.Validate(null, options).Succeeded);
        var next = BatchScheduleOptionsValidator.ParseCron(options.Cron).GetNextOccurrence(new DateTime(2026, 11, 25, 3, 0, 0, DateTimeKind.Utc));
        Assert.Equal(new DateTime(2026, 11, 26, 2, 0, 0, DateTimeKind.Utc), next);
        Assert.Equal(BatchScheduleOptions.DefaultRetryDelays, options.GetRetryDelays());
    }

    [Fact]
    public void A_six_field_cron_has_seconds()
    {
        var cron = BatchScheduleOptionsValidator.ParseCron("*/5 * * * * *");
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 5, DateTimeKind.Utc), cron.GetNextOccurrence(new DateTime(2026, 1, 1, 0, 0, 1, DateTimeKind.Utc)));
    }

    [Theory]
    [InlineData("Cron", "Batch:Schedule:Cron 'every night' is not a valid cron expression")]
    [InlineData("Schema", "Batch:Schedule:HangfireSchema must be a PostgreSQL identifier")]
    [InlineData("Workers", "Batch:Schedule:WorkerCount must be between 1 and 64")]
    [InlineData("Attempts", "Batch:Schedule:RetryAttempts must be between 0 and 100")]
    [InlineData("Delays", "Batch:Schedule:RetryDelays:1 must be between 0 and 7 days")]
    [InlineData("Poll", "Batch:Schedule:SchedulePollingInterval must be positive")]
    [InlineData("Lock", "Batch:Schedule:LockWaitTimeout must not be negative")]
    public void Each_bad_setting_is_reported_with_its_key(string which, string message)
    {
        var options = which switch
        {
            "Cron" => new BatchScheduleOptions { Cron = "every night" },
            "Schema" => new BatchScheduleOptions { HangfireSchema = "Hang Fire" },
            "Workers" => new BatchScheduleOptions { WorkerCount = 0 },
            "Attempts" => new BatchScheduleOptions { RetryAttempts = -1 },
            "Delays" => new BatchScheduleOptions { RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1)] },
            "Poll" => new BatchScheduleOptions { SchedulePollingInterval = TimeSpan.Zero },
            _ => new BatchScheduleOptions { LockWaitTimeout = TimeSpan.FromSeconds(-1) },
        };
        var result = _validator.Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(message, StringComparison.Ordinal));
    }
}
