using System.CommandLine;
using System.Globalization;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>recompute [--full] [--from DATE --to DATE] [--enqueue]</c>: runs a recompute now in this
/// process (progress on the console, summary at the end) or, with <c>--enqueue</c>, enqueues it on
/// the Hangfire queue for the batch-layer servers and prints the job id.
/// </summary>
public static class RecomputeCommand
{
    /// <summary>The <c>requestedBy</c> recorded for command-line runs.</summary>
    public const string Requester = "cli";

    /// <summary>Builds the command.</summary>
    public static Command Create(BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var full = new Option<bool>("--full") { Description = "Recompute every day of the master dataset (default: only days with new data)." };
        var from = new Option<string?>("--from") { Description = "First UTC day of a backfill (yyyy-MM-dd); needs --to.", HelpName = "DATE" };
        var to = new Option<string?>("--to") { Description = "Last UTC day of a backfill, inclusive (yyyy-MM-dd); needs --from.", HelpName = "DATE" };
        var enqueue = new Option<bool>("--enqueue") { Description = $"Enqueue the recompute on Hangfire (queue '{RecomputeJob.Queue}') instead of running it here." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log progress details to standard error." };

        var command = new Command("recompute", "Recompute the batch views: incremental by default, --full, or a --from/--to backfill.")
        {
            full, from, to, enqueue, verbose,
        };
        command.Validators.Add(result =>
        {
            try
            {
                Request(result.GetValue(full), result.GetValue(from), result.GetValue(to));
            }
            catch (InvalidRecomputeRequestException ex)
            {
                result.AddError(ex.Reason);
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = Request(parse.GetValue(full), parse.GetValue(from), parse.GetValue(to));
            return parse.GetValue(enqueue)
                ? await EnqueueAsync(environment, request, cancellationToken).ConfigureAwait(false)
                : await RunAsync(environment, request, parse.GetValue(verbose), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The request the options describe.</summary>
    /// <exception cref="InvalidRecomputeRequestException">The options contradict each other.</exception>
    public static RecomputeRequest Request(bool full, string? from, string? to)
    {
        var hasRange = !string.IsNullOrWhiteSpace(from) || !string.IsNullOrWhiteSpace(to);
        if (full && hasRange)
        {
            throw new InvalidRecomputeRequestException("--full recomputes every day; it cannot be combined with --from/--to.", "full");
        }

        try
        {
            return RecomputeRequestParser.Parse(full ? RecomputeModeNames.Full : null, from, to);
        }
        catch (InvalidRecomputeRequestException ex)
        {
            throw new InvalidRecomputeRequestException("--" + ex.Reason, ex.ParamName);
        }
    }

    private static async Task<int> EnqueueAsync(BatchCommandEnvironment environment, RecomputeRequest request, CancellationToken cancellationToken)
    {
        using var host = BatchHosts.CreateCommandHost(environment, LogLevel.Warning);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var jobId = host.Services.GetRequiredService<RecomputeJobClient>().Enqueue(request, Requester);
            environment.Console.MarkupLine(
                $"Enqueued recompute job [bold]{Markup.Escape(jobId)}[/] ({Markup.Escape(Describe(request))}) on queue '{RecomputeJob.Queue}'.");
            environment.Console.WriteLine(jobId);
            return 0;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunAsync(BatchCommandEnvironment environment, RecomputeRequest request, bool verbose, CancellationToken cancellationToken)
    {
        using var host = BatchHosts.CreateCommandHost(environment, verbose ? LogLevel.Information : LogLevel.Warning);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var runner = host.Services.GetRequiredService<RecomputeRunner>();
            var console = environment.Console;
            console.MarkupLine($"Recompute ({Markup.Escape(Describe(request))}) in this process…");
            var run = new RecomputeRun { Request = request, RequestedBy = Requester };
            BatchRun result;
            try
            {
                if (console.Profile.Capabilities.Interactive)
                {
                    result = await console.Progress()
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                        .StartAsync(async ctx =>
                        {
                            var task = ctx.AddTask("waiting", maxValue: 1);
                            var progress = new SynchronousProgress<RecomputeProgress>(p => Show(task, p));
                            return await runner.RunAsync(run, progress, cancellationToken).ConfigureAwait(false);
                        }).ConfigureAwait(false);
                }
                else
                {
                    result = await runner.RunAsync(run, null, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                console.MarkupLine($"[red]Recompute failed:[/] {Markup.Escape(ex.Message)}");
                return 1;
            }

            console.Write(Summary(result));
            return 0;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void Show(ProgressTask task, RecomputeProgress progress)
    {
        var rows = progress.RowsRead > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({progress.RowsRead:N0} rows read)") : string.Empty;
        task.Description = Markup.Escape(progress.Stage + rows);
        if (progress.Total is > 0 and var total)
        {
            task.MaxValue = total;
            task.Value = Math.Min(progress.Completed, total);
        }
        else
        {
            task.IsIndeterminate = true;
        }
    }

    private static Table Summary(BatchRun run)
    {
        var table = new Table().AddColumn("run").AddColumn("value");
        table.AddRow("id", run.Id.ToString());
        table.AddRow("state", run.State.ToName());
        table.AddRow("engine run", run.EngineRunId ?? "-");
        table.AddRow("days recomputed", run.DaysRecomputed.ToString(CultureInfo.InvariantCulture));
        table.AddRow("days loaded into ClickHouse", run.DaysLoaded.ToString(CultureInfo.InvariantCulture));
        table.AddRow("rows read", run.RowsRead.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("rows written", run.RowsWritten.ToString("N0", CultureInfo.InvariantCulture));
        var elapsed = (run.FinishedAt ?? run.StartedAt) - run.StartedAt;
        table.AddRow("time", elapsed.ToString("c", CultureInfo.InvariantCulture));
        return table;
    }

    private static string Describe(RecomputeRequest request) => request.Mode switch
    {
        RecomputeMode.Backfill => $"backfill {RecomputeRequestParser.FormatDay(request.From)}..{RecomputeRequestParser.FormatDay(request.To)}",
        _ => request.Mode.ToName(),
    };
}
