using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Lambda.BatchLayer.Dataset;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// Opens <see cref="AdHocSession"/>s: an in-memory DuckDB database with one view per dataset part:
/// <c>master_&lt;source&gt;</c> over exactly the data files of the source's committed snapshot
/// (<see cref="MasterDatasetSnapshot"/>; hive partitions <c>date</c> DATE and <c>hour</c> INTEGER as
/// columns) for every source with committed files, and
/// <c>batch_&lt;view&gt;</c> over the published day files of every view
/// (<see cref="IPublishedBatchViewFiles"/>; the files of one view version share one schema). DuckDB's
/// progress tracking is on (its own printing off) so long scans report progress; it stays silent for
/// scans with <c>union_by_name</c>, which is therefore off unless asked for.
/// </summary>
public sealed partial class AdHocSqlEngine
{
    private readonly BatchLayerOptions _options;
    private readonly IPublishedBatchViewFiles _batchViews;
    private readonly ILogger<AdHocSqlEngine> _logger;

    /// <summary>Creates the engine.</summary>
    public AdHocSqlEngine(IOptions<BatchLayerOptions> options, IPublishedBatchViewFiles batchViews, ILogger<AdHocSqlEngine> logger)
    {
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _batchViews = batchViews ?? throw new ArgumentNullException(nameof(batchViews));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The view name of a source's master data.</summary>
    public static string MasterViewName(string source) => "master_" + source;

    /// <summary>The view name of a batch view.</summary>
    public static string BatchViewName(string view) => "batch_" + view;

    /// <summary>
    /// Opens a session over <paramref name="datasetRoot"/> (default: <see cref="BatchLayerOptions.DatasetRoot"/>).
    /// With <paramref name="unionByName"/>, files of one source may have different columns (a source
    /// that gained fields); DuckDB then matches columns by name, but reports no progress for such scans.
    /// </summary>
    public async Task<AdHocSession> OpenAsync(string? datasetRoot, CancellationToken cancellationToken, bool unionByName = false)
    {
        var root = Path.GetFullPath(string.IsNullOrWhiteSpace(datasetRoot) ? _options.DatasetRoot : datasetRoot);
        var views = new Dictionary<string, string>(StringComparer.Ordinal);
        var connection = new DuckDBConnection("Data Source=:memory:");
        var session = new AdHocSession(connection, views);
        try
        {
            connection.Open();
            session.Execute("SET enable_progress_bar = true");
            session.Execute("SET enable_progress_bar_print = false");
            session.Execute("SET progress_bar_time = 0");

            var master = Path.Combine(root, "master");
            if (Directory.Exists(master))
            {
                foreach (var directory in Directory.EnumerateDirectories(master).Order(StringComparer.Ordinal))
                {
                    var source = Path.GetFileName(directory);
                    if (!Identifier().IsMatch(source))
                    {
                        continue;
                    }

                    // Exactly the files of the source's committed snapshot, never a glob: while a compaction
                    // runs, the merged files and the ones they replace are both on disk, and files of batches
                    // being archived are not committed yet. A compaction finishing during a long query may
                    // delete files the query still has to read: DuckDB then fails with a missing file, it
                    // never counts a row twice; running the query again reads the new snapshot.
                    var snapshot = MasterDatasetSnapshot.Load(root, source);
                    if (snapshot.Files.Count == 0)
                    {
                        continue;
                    }

                    var list = string.Join(", ", snapshot.Files.Select(f => AdHocSession.QuoteString(snapshot.GetPath(f))));
                    var name = MasterViewName(source);
                    session.Execute(
                        $"CREATE VIEW {AdHocSession.QuoteIdentifier(name)} AS SELECT * FROM read_parquet([{list}], "
                        + "hive_partitioning = true, hive_types = {'date': DATE, 'hour': INTEGER}" + (unionByName ? ", union_by_name = true)" : ")"));
                    views[name] = $"{snapshot.Files.Count} committed files";
                }
            }
            else
            {
                _logger.LogInformation("No master dataset under {Root}", master);
            }

            var published = await _batchViews.GetAsync(root, cancellationToken).ConfigureAwait(false);
            foreach (var (view, files) in published.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!Identifier().IsMatch(view) || files.Count == 0)
                {
                    continue;
                }

                var list = string.Join(", ", files.Select(AdHocSession.QuoteString));
                var name = BatchViewName(view);
                session.Execute($"CREATE VIEW {AdHocSession.QuoteIdentifier(name)} AS SELECT * FROM read_parquet([{list}])");
                views[name] = $"{files.Count} published day files";
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex Identifier();
}
