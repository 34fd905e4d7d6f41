using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Lambda.BatchLayer.Dataset;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// Opens <see cref="AdHocSession"/>s: an in-memory DuckDB database with one view per dataset part:
/// <c>master_&lt;source&gt;</c> over exactly the data files of the source's committed snapshot
/// (<see cref="MasterDatasetSnapshot"/>; <c>date</c> DATE and <c>hour</c> INTEGER as columns: the hive partitions
/// of hour files, the date partition of day files, the UTC day and hour of <c>event_time</c> otherwise) for every source with committed files, and
/// <c>batch_&lt;view&gt;</c> over the published day files of every view
/// (<see cref="IPublishedBatchViewFiles"/>; the files of one view version share one schema). DuckDB's
/// progress tracking is on (its own printing off) so long scans report progress; it stays silent for
/// scans with <c>union_by_name</c>, which is therefore off unless asked for. Every session is read-only
/// (<see cref="AdHocLockdown"/>, <see cref="AdHocStatementGuard"/>): it reads the snapshot's files and writes only the
/// output files named when it is opened.
/// </summary>
public sealed partial class AdHocSqlEngine
{
    private readonly BatchLayerOptions _options;
    private readonly IPublishedBatchViewFiles _batchViews;
    private readonly ILogger<AdHocSqlEngine> _logger;
    private readonly IMasterCommitLogs? _datasets;

    /// <summary>
    /// Creates the engine. Sessions over the configured dataset root read the master dataset through
    /// <paramref name="datasets"/> (the configured storage kind: on s3 the snapshot's files are copied under the root first);
    /// without it, and for any other root, through the commit logs under that root.
    /// </summary>
    public AdHocSqlEngine(IOptions<BatchLayerOptions> options, IPublishedBatchViewFiles batchViews, ILogger<AdHocSqlEngine> logger, IMasterCommitLogs? datasets = null)
    {
        _datasets = datasets;
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
    /// <paramref name="outputFiles"/> are the only files the session may write (with <see cref="AdHocSession.ExportAsync"/>).
    /// </summary>
    public async Task<AdHocSession> OpenAsync(string? datasetRoot, CancellationToken cancellationToken, bool unionByName = false, IReadOnlyList<string>? outputFiles = null)
    {
        var root = Path.GetFullPath(string.IsNullOrWhiteSpace(datasetRoot) ? _options.DatasetRoot : datasetRoot);
        var views = new Dictionary<string, string>(StringComparer.Ordinal);
        var readable = new List<string>();
        var snapshot = new AdHocSnapshot();
        var connection = new DuckDBConnection("Data Source=:memory:");
        var session = new AdHocSession(connection, views, snapshot);
        try
        {
            connection.Open();
            session.Execute("SET enable_progress_bar = true");
            session.Execute("SET enable_progress_bar_print = false");
            session.Execute("SET progress_bar_time = 0");

            var datasets = _datasets is not null && string.Equals(root, Path.GetFullPath(_options.DatasetRoot), StringComparison.Ordinal)
                ? _datasets
                : new LocalCommitLogs(root);
            var sources = await datasets.ListSourcesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var source in sources)
            {
                if (!Identifier().IsMatch(source))
                {
                    continue;
                }

                // Exactly the files of the source's committed snapshot, never a glob: while a compaction
                // runs, the merged files and the ones they replace are both on disk, and files of batches
                // being archived are not committed yet. A compaction finishing during a long query may
                // delete files the query still has to read: DuckDB then fails with a missing file, it
                // never counts a row twice; running the query again reads the new snapshot.
                var master = await datasets.Open(source).LoadSnapshotAsync(cancellationToken).ConfigureAwait(false);
                if (master.Files.Count == 0)
                {
                    continue;
                }

                var name = MasterViewName(source);
                session.Execute($"CREATE VIEW {AdHocSession.QuoteIdentifier(name)} AS {MasterSelect(master, unionByName)}");
                views[name] = $"{master.Files.Count} committed files";
                readable.AddRange(master.Files.Select(master.GetPath));
                snapshot.Master[source] = new AdHocMasterSnapshot(master.Files.Count, master.Rows, new SortedDictionary<int, long>(master.CommittedEnds.ToDictionary()));
            }

            if (sources.Count == 0)
            {
                _logger.LogInformation("No master dataset under {Root}", Path.Combine(root, MasterDatasetLayout.MasterDirectoryName));
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
                readable.AddRange(files);
                snapshot.BatchViews[view] = files.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).ToArray();
            }

            AdHocLockdown.Apply(session, readable, outputFiles ?? []);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The SELECT over a snapshot's files with <c>date</c> and <c>hour</c> columns: hour files carry both in their
    /// hive path and day files the date (which lets DuckDB skip files by date); the rest comes from <c>event_time</c>
    /// in UTC, which is what an hour file's path says of each of its rows.
    /// </summary>
    private static string MasterSelect(MasterDatasetSnapshot snapshot, bool unionByName)
    {
        var options = unionByName ? ", union_by_name = true" : string.Empty;
        var utc = $"timezone('UTC', {MasterFileSchema.EventTimeColumn})";
        var parts = new List<string>(3);
        var hourFiles = snapshot.Files.Where(f => f.Kind == DatasetFileKind.Hour).ToArray();
        if (hourFiles.Length > 0)
        {
            parts.Add($"SELECT * FROM read_parquet([{List(snapshot, hourFiles)}], hive_partitioning = true, hive_types = {{'date': DATE, 'hour': INTEGER}}{options})");
        }

        var dayFiles = snapshot.Files.Where(f => f.Kind == DatasetFileKind.Day).ToArray();
        if (dayFiles.Length > 0)
        {
            parts.Add($"SELECT *, CAST(hour({utc}) AS INTEGER) AS \"hour\" "
                + $"FROM read_parquet([{List(snapshot, dayFiles)}], hive_partitioning = true, hive_types = {{'date': DATE}}{options})");
        }

        var flushFiles = snapshot.Files.Where(f => f.Kind == DatasetFileKind.Flush).ToArray();
        if (flushFiles.Length > 0)
        {
            parts.Add($"SELECT *, CAST({utc} AS DATE) AS \"date\", CAST(hour({utc}) AS INTEGER) AS \"hour\" "
                + $"FROM read_parquet([{List(snapshot, flushFiles)}], hive_partitioning = false{options})");
        }

        return string.Join(" UNION ALL BY NAME ", parts);
    }

    private static string List(MasterDatasetSnapshot snapshot, IEnumerable<DatasetFile> files) =>
        string.Join(", ", files.Select(f => AdHocSession.QuoteString(snapshot.GetPath(f))));

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex Identifier();
}
