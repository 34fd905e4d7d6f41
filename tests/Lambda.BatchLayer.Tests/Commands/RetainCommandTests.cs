using Lambda.BatchLayer.Commands;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Retention;
using Lambda.BatchLayer.Tests.Dataset;
using Lambda.BatchLayer.Tests.Scheduling;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.BatchLayer.Tests.Commands;

/// <summary>The <c>retain</c> command over a dataset root on disk (it needs neither PostgreSQL nor ClickHouse).</summary>
public sealed class RetainCommandTests : IDisposable
{
    private static readonly DateOnly Day = new(2026, 11, 24);

    private readonly TestDirectory _root = new("retain-cli");
    private readonly ViewDefinition _view = TestCatalogs.Default.GetView("revenue_by_country");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_dry_run_lists_the_due_runs_and_the_real_run_deletes_exactly_them()
    {
        // run-0 stopped being named two hours ago; run-1 just now (no pass has seen it yet).
        await PublishAsync("run-0");
        await PublishAsync("run-1");
        var twoHoursAgo = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2));
        await new BatchViewRetention(new ManifestStore(_root.Path), Options.Create(new RetentionOptions()), twoHoursAgo, NullLogger<BatchViewRetention>.Instance)
            .RunLockedAsync(RetentionMode.RecordOnly, TimeSpan.FromHours(1), CancellationToken.None);
        await PublishAsync("run-2");

        var dry = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["retain", "--dry-run", "--dataset-root", _root.Path], Environment(dry)));

        Assert.Matches($@"{Regex(BatchViewLayout.RunDirectory(_view, "run-0"))}\s+│[^│]+│ would delete", dry.Output);
        Assert.Matches($@"{Regex(BatchViewLayout.RunDirectory(_view, "run-1"))}\s+│[^│]+│ kept \(grace\)", dry.Output);
        Assert.Contains("Dry run: would delete 1 (", dry.Output, StringComparison.Ordinal);
        Assert.Contains("; kept 1 runs named by manifest run-2; kept 1 unnamed for less than the grace period 01:00:00.", dry.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(RunPath("run-0")));

        var real = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["retain", "--dataset-root", _root.Path], Environment(real)));

        Assert.Matches($@"{Regex(BatchViewLayout.RunDirectory(_view, "run-0"))}\s+│[^│]+│ deleted", real.Output);
        Assert.Contains("Deleted 1 (", real.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(RunPath("run-0")));
        Assert.True(Directory.Exists(RunPath("run-1")));

        var now = new TestConsole();
        Assert.Equal(0, await BatchCommandLine.InvokeAsync(["retain", "--dataset-root", _root.Path, "--grace-period", "0"], Environment(now)));

        Assert.False(Directory.Exists(RunPath("run-1")));
        Assert.True(Directory.Exists(RunPath("run-2")));
        Assert.Contains("Deleted 1 (", now.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_recompute_makes_the_command_fail_without_deleting()
    {
        await PublishAsync("run-0");
        await PublishAsync("run-1");
        using var held = RecomputeLock.Acquire(_root.Path);

        var console = new TestConsole();
        Assert.Equal(1, await BatchCommandLine.InvokeAsync(["retain", "--dataset-root", _root.Path, "--grace-period", "0"], Environment(console)));

        Assert.Contains("Retention failed: another recompute is running", console.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(RunPath("run-0")));
    }

    [Theory]
    [InlineData("retain --grace-period soon", "--grace-period 'soon' is not a time span")]
    [InlineData("retain --grace-period -01:00:00", "--grace-period must be between 0 and 365 days (got -01:00:00).")]
    [InlineData("retain --grace-period 400.00:00:00", "--grace-period must be between 0 and 365 days")]
    public void Bad_grace_periods_are_refused_naming_the_option(string commandLine, string message)
    {
        var result = BatchCommandLine.Create(new BatchCommandEnvironment()).Parse(commandLine);

        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Grace_periods_parse_as_invariant_time_spans()
    {
        Assert.Equal(TimeSpan.FromMinutes(90), RetainCommand.ParseGracePeriod("01:30:00", out var error));
        Assert.Null(error);
        Assert.Equal(TimeSpan.FromDays(2), RetainCommand.ParseGracePeriod("2.00:00:00", out _));
        Assert.Empty(BatchCommandLine.Create(new BatchCommandEnvironment()).Parse("retain --dry-run --grace-period 0").Errors);
    }

    private static BatchCommandEnvironment Environment(TestConsole console) => new() { Console = console.Console };

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private string RunPath(string runId) => BatchViewLayout.Resolve(_root.Path, BatchViewLayout.RunDirectory(_view, runId));

    private async Task PublishAsync(string runId)
    {
        var file = BatchViewLayout.DayFile(_view, runId, Day);
        var path = BatchViewLayout.Resolve(_root.Path, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, runId);
        await TestManifests.PublishAsync(_root.Path, _view, runId, [new RecomputedDay(_view.Name, Day, 1, file)], CancellationToken.None);
    }
}
