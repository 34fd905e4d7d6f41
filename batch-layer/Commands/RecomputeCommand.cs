using System.CommandLine;
using System.Globalization;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;
using Lambda.BatchLayer.Status;
using Lambda.Shared.Batch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>recompute [--mode MODE | --full] [--from DATE --to DATE] [--enqueue]</c>: runs a recompute now in this
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
        var mode = new Option<string?>("--mode")
        {
            Description = $"{string.Join(", ", RecomputeModeNames.All)} (default: backfill with --from/--to, else incremental), as in the admin API's body.",
            HelpName = "MODE",
        };
        var full = new Option<bool>("--full") { Description = "Short for --mode full: recompute every day of the master dataset." };
        var from = new Option<string?>("--from") { Description = "First UTC day of a backfill (yyyy-MM-dd); needs --to.", HelpName = "DATE" };
        var to = new Option<string?>("--to") { Description = "Last UTC day of a backfill, inclusive (yyyy-MM-dd); needs --from.", HelpName = "DATE" };
        var enqueue = new Option<bool>("--enqueue") { Description = $"Enqueue the recompute on Hangfire (queue '{RecomputeJob.Queue}') instead of running it here." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log progress details to standard error." };

        var command = new Command("recompute", "Recompute the batch views: incremental by default, --mode full (--full), or a --from/--to backfill.")
        {
            mode, full, from, to, enqueue, verbose,
        };
        command.Validators.Add(result =>
        {
            try
            {
                Request(result.GetValue(mode), result.GetValue(full), result.GetValue(from), result.GetValue(to));
            }
            catch (InvalidRecomputeRequestException ex)
            {
                result.AddError(ex.Reason);
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = Request(parse.GetValue(mode), parse.GetValue(full), parse.GetValue(from), parse.GetValue(to));
            return parse.GetValue(enqueue)
                ? await EnqueueAsync(environment, request, cancellationToken).ConfigureAwait(false)
                : await RunAsync(environment, request, parse.GetValue(verbose), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// The request the options describe, validated by <see cref="RecomputeRequestValidator"/> like the admin API's
    /// body and the job's arguments (same rules, same messages); <c>--full</c> is <c>--mode full</c>.
    /// </summary>
    /// <exception cref="InvalidRecomputeRequestException">The options are invalid or contradict each other.</exception>
    public static RecomputeRequest Request(string? mode, bool full, string? from, string? to)
    {
        if (full && !string.IsNullOrWhiteSpace(mode) && mode != RecomputeModeNames.Full)
        {
            throw new InvalidRecomputeRequestException($"--full means --mode {RecomputeModeNames.Full}; it cannot be combined with --mode {mode}.", "mode");
        }

        return RecomputeRequestValidator.Validate(new RecomputeArguments { Mode = full ? RecomputeModeNames.Full : mode, From = from, To = to });
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
        RecomputeMode.Backfill => $"backfill {RecomputeArguments.FormatDay(request.From)}..{RecomputeArguments.FormatDay(request.To)}",
        _ => request.Mode.ToName(),
    };
}
