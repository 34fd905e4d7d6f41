using Lambda.BatchLayer.Commands;
using Lambda.BatchLayer.Scheduling;
using Lambda.Shared.Batch;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// The Hangfire job's arguments and the <c>recompute</c> command's options accept and refuse exactly the inputs of
/// <see cref="RecomputeRequestCases"/>, with its messages (the serving layer's admin API is held to the same table).
/// </summary>
public sealed class RecomputeEntryPointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lambda-entry-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [MemberData(nameof(RecomputeRequestCases.Accepted), MemberType = typeof(RecomputeRequestCases))]
    public async Task The_job_runs_accepted_arguments(string? mode, string? from, string? to, string expectedMode)
    {
        var engine = new ScriptedRecomputeEngine().ThenReturn(ScriptedRecomputeEngine.NothingToDo());

        await Job(engine).RunAsync(mode, from, to, "test", CancellationToken.None);

        var request = Assert.Single(engine.Requests);
        Assert.Equal((expectedMode, from, to), (request.Mode.ToName(), RecomputeArguments.FormatDay(request.From), RecomputeArguments.FormatDay(request.To)));
    }

    [Theory]
    [MemberData(nameof(RecomputeRequestCases.Refused), MemberType = typeof(RecomputeRequestCases))]
    public async Task The_job_refuses_the_same_arguments_with_the_same_message(string? mode, string? from, string? to, string parameter, string message)
    {
        var engine = new ScriptedRecomputeEngine();

        var error = await Assert.ThrowsAsync<InvalidRecomputeRequestException>(() => Job(engine).RunAsync(mode, from, to, "test", CancellationToken.None));

        Assert.Equal((parameter, message), (error.ParamName, error.Reason));
        Assert.Equal(0, engine.Calls);
    }

    [Theory]
    [MemberData(nameof(RecomputeRequestCases.Accepted), MemberType = typeof(RecomputeRequestCases))]
    public void The_command_accepts_the_same_options(string? mode, string? from, string? to, string expectedMode)
    {
        var result = BatchCommandLine.Create(new BatchCommandEnvironment()).Parse(CommandLine(mode, from, to));

        Assert.Empty(result.Errors);
        Assert.Equal(expectedMode, RecomputeCommand.Request(mode, false, from, to).Mode.ToName());
    }

    [Theory]
    [MemberData(nameof(RecomputeRequestCases.Refused), MemberType = typeof(RecomputeRequestCases))]
    public void The_command_refuses_the_same_options_with_the_same_message(string? mode, string? from, string? to, string parameter, string message)
    {
        var result = BatchCommandLine.Create(new BatchCommandEnvironment()).Parse(CommandLine(mode, from, to));

        Assert.Equal([message], result.Errors.Select(e => e.Message));
        Assert.Equal(parameter, Assert.Throws<InvalidRecomputeRequestException>(() => RecomputeCommand.Request(mode, false, from, to)).ParamName);
    }

    [Fact]
    public void Full_is_short_for_mode_full_and_contradicting_it_is_refused()
    {
        Assert.Equal(RecomputeMode.Full, RecomputeCommand.Request(null, true, null, null).Mode);
        Assert.Equal(RecomputeMode.Full, RecomputeCommand.Request("full", true, null, null).Mode);
        var error = Assert.Throws<InvalidRecomputeRequestException>(() => RecomputeCommand.Request("backfill", true, "2026-01-01", "2026-01-02"));
        Assert.Equal(("mode", "--full means --mode full; it cannot be combined with --mode backfill."), (error.ParamName, error.Reason));
    }

    private static string[] CommandLine(string? mode, string? from, string? to)
    {
        var args = new List<string> { "recompute" };
        if (mode is not null)
        {
            args.AddRange(["--mode", mode]);
        }

        if (from is not null)
        {
            args.AddRange(["--from", from]);
        }

        if (to is not null)
        {
            args.AddRange(["--to", to]);
        }

        return [.. args];
    }

    private RecomputeJob Job(ScriptedRecomputeEngine engine) => new(
        RecomputeRunners.Create(engine, _root, new InMemoryBatchRunStore(), new CountingLock(), new RecordingLoader()),
        new PerformContextAccessor(),
        TimeProvider.System,
        NullLogger<RecomputeJob>.Instance);
}
