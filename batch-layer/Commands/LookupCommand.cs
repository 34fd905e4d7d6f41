using System.CommandLine;
using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>lookup NAME FILE</c>: publishes FILE (CSV with a header line, or Parquet when it ends in <c>.parquet</c>) as the
/// next version of lookup NAME, beside the master dataset (<c>Batch:DatasetRoot</c>/lookups). A refused file (unknown
/// lookup, missing key column, bad CSV, a cell of the wrong type) exits with 1, naming the column, and stores nothing.
/// </summary>
public static class LookupCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var name = new Argument<string>("NAME") { Description = "The lookup (the catalog's lookups:)." };
        var file = new Argument<FileInfo>("FILE") { Description = "CSV (first line: column names) or Parquet (.parquet) with the lookup's columns." };
        var command = new Command("lookup", "Publish a new version of a lookup's rows from a CSV or Parquet file.") { name, file };
        command.SetAction((parse, cancellationToken) => RunAsync(environment, parse.GetValue(name)!, parse.GetValue(file)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(BatchCommandEnvironment environment, string name, FileInfo file, CancellationToken cancellationToken)
    {
        var console = environment.Console;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddInMemoryCollection(environment.Configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddLambdaCatalog();
        builder.Services.AddLambdaLookups(builder.Configuration);
        environment.ConfigureServices?.Invoke(builder.Services);
        using var host = builder.Build();
        var catalog = host.Services.GetRequiredService<LambdaCatalog>();
        if (!catalog.TryGetLookup(name, out var lookup))
        {
            console.MarkupLine($"[red]Lookup '{Markup.Escape(name)}' is not in the catalog; lookups: {Markup.Escape(string.Join(", ", catalog.Lookups.Select(l => l.Name)))}.[/]");
            return 1;
        }

        if (!file.Exists)
        {
            console.MarkupLine($"[red]File '{Markup.Escape(file.FullName)}' does not exist.[/]");
            return 1;
        }

        try
        {
            var rows = await LookupFileReader.ReadAsync(lookup, file.FullName, cancellationToken).ConfigureAwait(false);
            var table = await host.Services.GetRequiredService<ILookupPublisher>().PublishAsync(lookup, rows, cancellationToken).ConfigureAwait(false);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Published lookup {lookup.Name} version {table.Version} ({table.Rows.Count} rows); the speed layer joins it within seconds, the next recompute redoes the days it changes."));
            return 0;
        }
        catch (LookupPublishException ex)
        {
            console.MarkupLine($"[red]{Markup.Escape(file.Name)}: {Markup.Escape(ex.Message)} (column '{Markup.Escape(ex.Field)}'); nothing was published.[/]");
            return 1;
        }
    }
}
