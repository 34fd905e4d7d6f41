using Lambda.BatchLayer.Commands;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;

namespace Lambda.BatchLayer.Tests.Commands;

public sealed class RecomputeCommandTests
{
    [Fact]
    public void Options_map_to_requests()
    {
        Assert.Equal(RecomputeMode.Incremental, RecomputeCommand.Request(false, null, null).Mode);
        Assert.Equal(RecomputeMode.Full, RecomputeCommand.Request(true, null, null).Mode);
        var backfill = RecomputeCommand.Request(false, "2026-01-01", "2026-01-07");
        Assert.Equal((RecomputeMode.Backfill, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 7)), (backfill.Mode, backfill.From!.Value, backfill.To!.Value));
    }

    [Theory]
    [InlineData(true, "2026-01-01", "2026-01-02", "--full recomputes every day; it cannot be combined with --from/--to.")]
    [InlineData(false, "2026-01-01", null, "--to is required for a backfill")]
    [InlineData(false, "yesterday", "2026-01-02", "--from 'yesterday' is not a date in the form yyyy-MM-dd")]
    public void Contradicting_options_are_refused_naming_the_option(bool full, string? from, string? to, string message)
    {
        var error = Assert.Throws<InvalidRecomputeRequestException>(() => RecomputeCommand.Request(full, from, to));
        Assert.StartsWith(message, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("recompute --full --from 2026-01-01 --to 2026-01-02", "--full recomputes every day")]
    [InlineData("recompute --from 2026-01-03 --to 2026-01-02", "--to (2026-01-02) is before from (2026-01-03)")]
    [InlineData("sql \"select 1\" --output result.txt", "--output 'result.txt' must end in .csv or .parquet")]
    [InlineData("sql \"select 1\" --max-rows -1", "--max-rows must not be negative")]
    public void The_parser_reports_bad_command_lines(string commandLine, string message)
    {
        var result = BatchCommandLine.Create(new BatchCommandEnvironment()).Parse(commandLine);
        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_root_and_serve_pass_unknown_tokens_to_the_host()
    {
        var root = BatchCommandLine.Create(new BatchCommandEnvironment());
        Assert.Empty(root.Parse("--urls http://127.0.0.1:9000").Errors);
        var serve = root.Parse("serve --Batch:Schedule:Cron=*/5");
        Assert.Empty(serve.Errors);
        Assert.Equal(["--Batch:Schedule:Cron=*/5"], serve.UnmatchedTokens);
    }
}
