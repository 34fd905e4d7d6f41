using System.CommandLine;
using System.Globalization;
using Lambda.BatchLayer.Retention;
using Lambda.Shared.BatchViews;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>retain [--dry-run] [--grace-period TIMESPAN] [--dataset-root DIR] [--verbose]</c>: deletes the batch-view
/// run directories the published manifest no longer names and that stopped being named longer than the grace
/// period ago (<see cref="BatchViewRetention"/>), and prints what it deleted and what it kept. With
/// <c>--dry-run</c> it only lists what it would delete. Needs neither PostgreSQL nor ClickHouse: it takes the
/// dataset root's recompute lock file, so it refuses to run beside a recompute of the same root.
/// </summary>
public static class RetainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted; delete and record nothing." };
        var grace = new Option<string?>("--grace-period")
        {
            Description = $"Keep runs unnamed for less than this (hh:mm:ss or d.hh:mm:ss; default {RetentionOptions.SectionName}:{nameof(RetentionOptions.GracePeriod)}, 01:00:00).",
            HelpName = "TIMESPAN",
        };
        var root = new Option<string?>("--dataset-root")
        {
            Description = "The dataset root (default: Batch:DatasetRoot).",
            HelpName = "DIR",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log every deletion to standard error." };

        var command = new Command("retain", "Delete batch-view runs the published manifest no longer names, after a grace period.")
        {
            dryRun, grace, root, verbose,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(grace) is { } text && ParseGracePeriod(text, out var error) is null)
            {
                result.AddError(error!);
            }

            if (result.GetValue(root) is { } directory && string.IsNullOrWhiteSpace(directory))
            {
                result.AddError("--dataset-root must not be empty.");
            }
        });
        command.SetAction((parse, cancellationToken) =>
        {
            var text = parse.GetValue(grace);
            return RunAsync(
                environment,
                parse.GetValue(dryRun),
                text is null ? null : ParseGracePeriod(text, out _),
                parse.GetValue(root),
                parse.GetValue(verbose),
                cancellationToken);
        });
        return command;
    }

    /// <summary>Parses a <c>--grace-period</c> value; null with <paramref name="error"/> set when it is not valid.</summary>
    public static TimeSpan? ParseGracePeriod(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var value))
        {
            error = $"--grace-period '{text}' is not a time span (hh:mm:ss or d.hh:mm:ss, e.g. 01:00:00).";
            return null;
        }

        error = RetentionOptionsValidator.CheckGracePeriod(value, "--grace-period");
        return error is null ? value : null;
    }

    private static async Task<int> RunAsync(
        BatchCommandEnvironment environment, bool dryRun, TimeSpan? grace, string? root, bool verbose, CancellationToken cancellationToken)
    {
        if (root is not null)
        {
            var configuration = new Dictionary<string, string?>(environment.Configuration)
            {
                [$"{BatchStorageOptions.SectionName}:{nameof(BatchStorageOptions.DatasetRoot)}"] = Path.GetFullPath(root),
            };
            environment = environment with { Configuration = configuration };
        }

        var console = environment.Console;
        using var host = BatchHosts.CreateCommandHost(environment, verbose ? LogLevel.Information : LogLevel.Warning);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var retention = host.Services.GetRequiredService<BatchViewRetention>();
            RetentionResult result;
            try
            {
                result = await retention.RunAsync(dryRun, grace, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                console.MarkupLine($"[red]Retention failed:[/] {Markup.Escape(ex.Message)}");
                return 1;
            }

            Render(console, retention.Root, result);
            return result.Failed == 0 ? 0 : 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Prints a pass: a table of the unnamed items and a summary line.</summary>
    public static void Render(IAnsiConsole console, string root, RetentionResult result)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(result);
        console.WriteLine($"Batch views under {BatchViewLayout.ViewsDirectory(root)}");
        if (result.Items.Count > 0)
        {
            var table = new Table().AddColumn(new TableColumn("path").NoWrap()).AddColumn("unnamed since (UTC)").AddColumn("action").AddColumn(new TableColumn("bytes").RightAligned());
            foreach (var item in result.Items)
            {
                table.AddRow(
                    new Text(item.Path),
                    new Text(item.UnnamedSince.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    new Text(Describe(item.Action)),
                    new Text(item.Action == RetentionAction.KeptInGrace ? "-" : item.Bytes.ToString("N0", CultureInfo.InvariantCulture)));
            }

            console.Write(table);
        }

        var named = result.ManifestRunId is null
            ? "no manifest is published"
            : string.Create(CultureInfo.InvariantCulture, $"kept {result.NamedRuns} runs named by manifest {result.ManifestRunId}");
        var removed = result.DryRun
            ? string.Create(CultureInfo.InvariantCulture, $"Dry run: would delete {result.WouldDelete} ({result.Items.Where(i => i.Action == RetentionAction.WouldDelete).Sum(i => i.Bytes):N0} bytes)")
            : string.Create(CultureInfo.InvariantCulture, $"Deleted {result.Deleted} ({result.BytesDeleted:N0} bytes)");
        var failed = result.Failed > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {result.Failed} could not be deleted (see the log)") : string.Empty;
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{removed}; {named}; kept {result.KeptInGrace} unnamed for less than the grace period {result.GracePeriod}{failed}."));
    }

    private static string Describe(RetentionAction action) => action switch
    {
        RetentionAction.Deleted => "deleted",
        RetentionAction.WouldDelete => "would delete",
        RetentionAction.KeptInGrace => "kept (grace)",
        RetentionAction.Failed => "failed",
        _ => action.ToString(),
    };
}
