using System.CommandLine;
using System.Globalization;
using Lambda.BatchLayer.Compaction;
using Lambda.BatchLayer.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>compact [--min-age TIME] [--max-events N] [--dataset-root DIR] [--verbose]</c>: compacts the master
/// dataset of every source now, in this process, under the recompute lock (<see cref="CompactionRunner"/>),
/// and prints per source the files before and after.
/// </summary>
public static class CompactCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var minAge = new Option<string?>("--min-age")
        {
            Description = "Compact only commits written at least this long ago (d.hh:mm:ss; default: Batch:Compaction:MinAge).",
            HelpName = "TIME",
        };
        var maxEvents = new Option<long?>("--max-events")
        {
            Description = "Valid events at most per compaction record (default: Batch:Compaction:MaxEventsPerRecord).",
            HelpName = "N",
        };
        var root = new Option<string?>("--dataset-root")
        {
            Description = "The dataset root (default: Batch:DatasetRoot).",
            HelpName = "DIR",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log details to standard error." };

        var command = new Command("compact", "Merge the master dataset's small committed files (one file per partition, date and hour), invisibly to readers.")
        {
            minAge, maxEvents, root, verbose,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(minAge) is { } age && !TryParseAge(age, out _))
            {
                result.AddError($"--min-age '{age}' must be a non-negative time span such as 00:10:00.");
            }

            if (result.GetValue(maxEvents) is < 2)
            {
                result.AddError("--max-events must be at least 2.");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(
            environment,
            parse.GetValue(minAge) is { } age && TryParseAge(age, out var parsed) ? parsed : null,
            parse.GetValue(maxEvents),
            parse.GetValue(root),
            parse.GetValue(verbose),
            cancellationToken));
        return command;
    }

    private static bool TryParseAge(string text, out TimeSpan age) =>
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out age) && age >= TimeSpan.Zero;

    private static async Task<int> RunAsync(
        BatchCommandEnvironment environment, TimeSpan? minAge, long? maxEvents, string? root, bool verbose, CancellationToken cancellationToken)
    {
        var console = environment.Console;
        using var host = BatchHosts.CreateCommandHost(environment, verbose ? LogLevel.Information : LogLevel.Warning);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var runner = host.Services.GetRequiredService<CompactionRunner>();
            var results = await runner.RunAsync(root, minAge, maxEvents, cancellationToken).ConfigureAwait(false);
            var table = new Table();
            foreach (var column in new[] { "source", "commits merged", "records written", "files before", "files after", "files merged", "rows rewritten" })
            {
                table.AddColumn(new TableColumn(new Text(column)));
            }

            foreach (var r in results)
            {
                table.AddRow(
                    r.Source,
                    Number(r.RecordsSuperseded),
                    Number(r.RecordsWritten),
                    Number(r.FilesBefore),
                    Number(r.FilesAfter),
                    Number(r.FilesWritten),
                    Number(r.RowsWritten));
            }

            console.Write(table);
            console.MarkupLine(results.Count == 0 ? "No master dataset to compact." : $"Compacted {results.Count} source(s).");
            return 0;
        }
        catch (RecomputeLockTimeoutException ex)
        {
            console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
