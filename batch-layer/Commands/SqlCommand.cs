using System.CommandLine;
using System.Globalization;
using Lambda.BatchLayer.AdHoc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>sql "&lt;query&gt;" [--output file.parquet|file.csv]</c>: runs SQL with the embedded DuckDB over
/// the master dataset (<c>master_&lt;source&gt;</c>) and the published batch views
/// (<c>batch_&lt;view&gt;</c>); prints a table or writes the result to a file.
/// </summary>
public static class SqlCommand
{
    /// <summary>Rows printed by default.</summary>
    public const int DefaultMaxRows = 100;

    /// <summary>Builds the command.</summary>
    public static Command Create(BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var query = new Argument<string>("query")
        {
            Description = "The SQL (DuckDB dialect). Views: master_<source> (every archived event, with hive columns date and hour), batch_<view> (the published batch view).",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the result to this file instead of printing it; the extension picks the format (.csv or .parquet).",
            HelpName = "FILE",
        };
        var root = new Option<string?>("--dataset-root")
        {
            Description = "The dataset root (default: Batch:DatasetRoot).",
            HelpName = "DIR",
        };
        var maxRows = new Option<int>("--max-rows")
        {
            Description = $"Rows to print (default {DefaultMaxRows}); the total is always counted.",
            DefaultValueFactory = _ => DefaultMaxRows,
        };
        var noProgress = new Option<bool>("--no-progress") { Description = "Do not show query progress." };
        var unionByName = new Option<bool>("--union-by-name")
        {
            Description = "Match master-dataset columns by name across files with different columns (a source that gained fields); DuckDB shows no progress then.",
        };

        var command = new Command("sql", "Run ad hoc SQL over the master dataset and the batch views (embedded DuckDB).")
        {
            query, output, root, maxRows, noProgress, unionByName,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(maxRows) < 0)
            {
                result.AddError("--max-rows must not be negative.");
            }

            if (result.GetValue(output) is { Length: > 0 } file && !AdHocSession.TryGetFormat(file, out _))
            {
                result.AddError($"--output '{file}' must end in .csv or .parquet (the extension picks the format).");
            }

            if (string.IsNullOrWhiteSpace(result.GetValue(query)))
            {
                result.AddError("query must not be empty.");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(
            environment,
            parse.GetValue(query)!,
            parse.GetValue(output),
            parse.GetValue(root),
            parse.GetValue(maxRows),
            !parse.GetValue(noProgress),
            parse.GetValue(unionByName),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        BatchCommandEnvironment environment, string sql, string? output, string? root, int maxRows, bool showProgress, bool unionByName, CancellationToken cancellationToken)
    {
        var console = environment.Console;
        using var host = BatchHosts.CreateCommandHost(environment, LogLevel.Warning);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var engine = host.Services.GetRequiredService<AdHocSqlEngine>();
            // The session is read-only: it may write only the --output file.
            IReadOnlyList<string> outputs = output is { Length: > 0 } ? [Path.GetFullPath(output)] : [];
            using var session = await engine.OpenAsync(root, cancellationToken, unionByName, outputs).ConfigureAwait(false);
            var interactive = showProgress && console.Profile.Capabilities.Interactive;
            try
            {
                if (output is { Length: > 0 })
                {
                    var format = AdHocSession.FormatFromPath(output);
                    var rows = await WithProgressAsync(console, interactive, p => session.ExportAsync(sql, output, format, p, cancellationToken)).ConfigureAwait(false);
                    console.MarkupLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"Wrote {rows:N0} rows to [bold]{Markup.Escape(Path.GetFullPath(output))}[/] ({format.ToString().ToLowerInvariant()})."));
                }
                else
                {
                    var result = await WithProgressAsync(console, interactive, p => session.QueryAsync(sql, maxRows, p, cancellationToken)).ConfigureAwait(false);
                    Render(console, result);
                }
            }
            catch (AdHocQueryRefusedException ex)
            {
                console.MarkupLine($"[red]Refused:[/] {Markup.Escape(ex.Message)}");
                return 1;
            }
            catch (DuckDB.NET.Data.DuckDBException ex)
            {
                console.MarkupLine($"[red]SQL error:[/] {Markup.Escape(ex.Message)}");
                var views = session.Views.Count == 0 ? "none (no master dataset or batch views found)" : string.Join(", ", session.Views.Keys);
                console.MarkupLine($"Available views: {Markup.Escape(views)}");
                return 1;
            }

            return 0;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Prints a result as a table, with a line saying how many rows there were.</summary>
    public static void Render(IAnsiConsole console, AdHocResult result)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(result);
        var table = new Table();
        foreach (var column in result.Columns)
        {
            table.AddColumn(new TableColumn(new Text(column.Name)));
        }

        foreach (var row in result.Rows)
        {
            table.AddRow(row.Select(v => (Spectre.Console.Rendering.IRenderable)new Text(AdHocValueFormatter.Format(v))).ToArray());
        }

        if (result.Columns.Count > 0)
        {
            console.Write(table);
        }

        var shown = result.Rows.Count;
        console.WriteLine(shown == result.TotalRows
            ? string.Create(CultureInfo.InvariantCulture, $"{result.TotalRows:N0} {(result.TotalRows == 1 ? "row" : "rows")}")
            : string.Create(CultureInfo.InvariantCulture, $"{result.TotalRows:N0} rows ({shown:N0} shown; --max-rows shows more)"));
    }

    private static async Task<T> WithProgressAsync<T>(IAnsiConsole console, bool interactive, Func<IProgress<AdHocProgress>?, Task<T>> run)
    {
        if (!interactive)
        {
            return await run(null).ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("query", maxValue: 100);
                var progress = new SynchronousProgress<AdHocProgress>(p =>
                {
                    task.Value = p.Percent;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"query: {p.RowsProcessed:N0} of {p.TotalRows:N0} rows");
                });
                var result = await run(progress).ConfigureAwait(false);
                task.Value = 100;
                return result;
            }).ConfigureAwait(false);
    }
}
