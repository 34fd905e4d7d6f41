using System.CommandLine;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// The command line of <c>Lambda.BatchLayer</c> (System.CommandLine):
/// <list type="bullet">
/// <item><c>Lambda.BatchLayer</c> or <c>Lambda.BatchLayer serve [host args]</c> — run the service.</item>
/// <item><c>Lambda.BatchLayer recompute [--mode MODE | --full] [--from DATE --to DATE] [--enqueue] [--verbose]</c>.</item>
/// <item><c>Lambda.BatchLayer compact [--min-age TIME] [--max-events N] [--dataset-root DIR] [--verbose]</c>.</item>
/// <item><c>Lambda.BatchLayer retain [--dry-run] [--grace-period TIMESPAN] [--dataset-root DIR] [--verbose]</c>.</item>
/// <item><c>Lambda.BatchLayer sql "&lt;query&gt;" [--output FILE.parquet|FILE.csv] [--dataset-root DIR] [--max-rows N] [--no-progress]</c>.</item>
/// </list>
/// Exit codes: 0 success, 1 failure or bad command line (the error names the option).
/// </summary>
public static class BatchCommandLine
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Create(BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var root = new RootCommand("Lambda batch layer: master dataset, scheduled recomputes of the batch views, ad hoc SQL.")
        {
            ServeCommand.Create(environment),
            RecomputeCommand.Create(environment),
            SqlCommand.Create(environment),
            CompactCommand.Create(environment),
            RetainCommand.Create(environment),
            EpochCommand.Create(environment),
            LookupCommand.Create(environment),
            ArchiveCommand.Create(),
        };
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((parse, cancellationToken) => ServeCommand.RunAsync(environment, [.. parse.UnmatchedTokens], cancellationToken));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>.</summary>
    public static Task<int> InvokeAsync(string[] args, BatchCommandEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        environment ??= new BatchCommandEnvironment();
        return Create(environment).Parse(args).InvokeAsync(null, cancellationToken);
    }
}
