using Lambda.BatchLayer.Commands;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.Shared.Batch;

namespace Lambda.BatchLayer.Tests.Commands;

public sealed class RecomputeCommandTests
{
    [Theory]
    [InlineData("recompute --full --from 2026-01-01 --to 2026-01-02", "mode full takes no range")]
    [InlineData("recompute --from 2026-01-03 --to 2026-01-02", "to (2026-01-02) is before from (2026-01-03)")]
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
