using System.Globalization;
using System.Text;
using Lambda.Shared.Postgres;
using Lambda.Shared.Storage;
using Npgsql;

namespace Lambda.Shared.Dataset;

/// <summary>
/// The commit log of one source's master dataset on an object store that has no rename and no conditional write (S3):
/// a commit uploads each data file, written aside locally, to a fresh key that is never reused
/// (<c>&lt;path without .parquet&gt;.&lt;guid&gt;.parquet</c>), then inserts the record as a row of <c>master_commits</c>
/// (<see cref="MasterCommitCatalogSchema"/>) under the partition's advisory lock, after checking that no record in force
/// overlaps its range: the insert is the commit point, so a reader sees a commit whole or not at all, also across a kill,
/// and a second writer's overlapping commit is refused. Records keep their root-relative paths
/// (<see cref="DatasetFile.Path"/>); the row maps them to their objects. A snapshot reads the rows in force in one
/// statement and downloads the files it names that <see cref="Root"/> lacks (a committed path names one object for
/// ever, so a cached file never goes stale). Recovery deletes the objects of the partitions that no row names once they
/// are older than the grace period: a writer that has not committed within half of it gives up instead (its own clock),
/// so an object a live writer may still commit is never deleted. A compaction (<see cref="ReplaceAsync"/>) uploads its
/// new day files the same way, then in one transaction under the partition's lock marks the run's rows superseded
/// (<c>superseded_at</c>) and inserts its own; the replaced objects stay in the store for the grace period, for readers
/// that read the rows before the swap and download after it, and <see cref="RecoverCompactionsAsync"/> deletes them and
/// their rows afterwards.
/// </summary>
public sealed class ObjectStoreCommitLog : IMasterCommitLog
{
    private readonly IObjectStore _store;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresSchemaGate _schema;
    private readonly TimeSpan _grace;
    private readonly TimeProvider _time;
    private readonly CommitLog _records;

    /// <summary>Creates the log of <paramref name="source"/>.</summary>
    /// <param name="root">The local dataset root (files written aside, and the snapshots' copies).</param>
    /// <param name="source">The source.</param>
    /// <param name="store">The object store holding the data files.</param>
    /// <param name="dataSource">The PostgreSQL database holding <c>master_commits</c>.</param>
    /// <param name="schema">The gate that creates the table once per process.</param>
    /// <param name="grace">How old an object no row names must be before recovery deletes it.</param>
    /// <param name="time">The clock of the writer's deadline and of the objects' age.</param>
    public ObjectStoreCommitLog(string root, string source, IObjectStore store, NpgsqlDataSource dataSource, PostgresSchemaGate schema, TimeSpan grace, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);
        _records = new CommitLog(root, source);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        _schema = schema ?? throw new ArgumentNullException(nameof(schema));
        _grace = grace;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc/>
    public string Root => _records.Root;

    /// <inheritdoc/>
    public string Source => _records.Source;

    /// <summary>The key prefix of the source's objects.</summary>
    public string KeyPrefix => $"{MasterDatasetLayout.MasterDirectoryName}/{Source}/";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<DatasetCommit>> ReadCommitsAsync(IReadOnlySet<int>? partitions, CancellationToken cancellationToken) =>
        (await ReadRowsAsync(partitions, cancellationToken).ConfigureAwait(false)).Select(r => r.Commit).ToList();

    /// <inheritdoc/>
    public async Task<DatasetCommit> CommitAsync(DatasetCommit commit, bool flushToDisk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        if (commit.IsCompaction)
        {
            throw new ArgumentException($"commit {commit.FileName}: a compaction record replaces commits (ReplaceAsync)", nameof(commit));
        }

        _records.Validate(commit, commit.FileName);

        await _schema.EnsureAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        var keys = new string[commit.Files.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            var aside = MasterDatasetLayout.Resolve(Root, commit.Files[i].Path) + MasterDatasetLayout.TempSuffix;
            if (!File.Exists(aside))
            {
                throw new InvalidOperationException($"commit {commit.FileName}: data file '{commit.Files[i].Path}' has not been written aside ('{aside}' is missing)");
            }

            keys[i] = FreshKey(commit.Files[i].Path);
            await _store.PutFileAsync(keys[i], aside, cancellationToken).ConfigureAwait(false);
        }

        await InsertAsync(commit, keys, started, cancellationToken).ConfigureAwait(false);
        foreach (var file in commit.Files)
        {
            // The local copy a snapshot would download: the committed path names this object for ever.
            var final = MasterDatasetLayout.Resolve(Root, file.Path);
            File.Move(final + MasterDatasetLayout.TempSuffix, final, overwrite: true);
        }

        return commit;
    }

    /// <inheritdoc/>
    public async Task<CommitRecovery> RecoverAsync(IReadOnlySet<int> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        await _schema.EnsureAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var deleted = _records.DeleteTempFiles(partitions);
        var named = new HashSet<string>(StringComparer.Ordinal);
        await using (var select = _dataSource.CreateCommand("SELECT unnest(object_keys) FROM master_commits WHERE source = @source"))
        {
            select.Parameters.AddWithValue("source", Source);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                named.Add(reader.GetString(0));
            }
        }

        var orphans = new List<string>();
        var now = _time.GetUtcNow();
        await foreach (var item in _store.ListAsync(KeyPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (!named.Contains(item.Key) && now - item.LastModified >= _grace
                && CommitLog.TryParsePartitionPrefix(item.Key[(item.Key.LastIndexOf('/') + 1)..], out var partition) && partitions.Contains(partition))
            {
                orphans.Add(item.Key);
            }
        }

        foreach (var key in orphans)
        {
            await _store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        var commits = await ReadCommitsAsync(partitions, cancellationToken).ConfigureAwait(false);
        return new CommitRecovery(commits.Count, 0, deleted + orphans.Count);
    }

    /// <inheritdoc/>
    public async Task<DatasetCommit> ReplaceAsync(DatasetCommit compaction, IReadOnlyList<DatasetCommit> run, bool flushToDisk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compaction);
        ArgumentNullException.ThrowIfNull(run);
        if (!compaction.IsCompaction || run.Count < 2)
        {
            throw new ArgumentException($"commit {compaction.FileName} is not a compaction record of at least two commits", nameof(compaction));
        }

        _records.Validate(compaction, compaction.FileName);
        await _schema.EnsureAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        var replaced = run.SelectMany(c => c.Files).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var uploaded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in compaction.Files.Where(f => !replaced.Contains(f.Path)))
        {
            var aside = MasterDatasetLayout.Resolve(Root, file.Path) + MasterDatasetLayout.CompactingSuffix;
            if (!File.Exists(aside))
            {
                throw new InvalidOperationException($"compaction {compaction.FileName}: data file '{file.Path}' has not been written aside ('{aside}' is missing)");
            }

            uploaded[file.Path] = FreshKey(file.Path);
            await _store.PutFileAsync(uploaded[file.Path], aside, cancellationToken).ConfigureAwait(false);
        }

        await SupersedeAsync(compaction, run, uploaded, started, cancellationToken).ConfigureAwait(false);
        foreach (var (path, _) in uploaded)
        {
            var final = MasterDatasetLayout.Resolve(Root, path);
            File.Move(final + MasterDatasetLayout.CompactingSuffix, final, overwrite: true);
        }

        // This instance's copies of what the compaction replaced: the objects stay for the grace period, copies are
        // downloaded again by a reader that still needs one.
        var kept = compaction.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var path in replaced.Where(p => !kept.Contains(p)))
        {
            File.Delete(MasterDatasetLayout.Resolve(Root, path));
        }

        return compaction;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A compaction is one transaction here, so nothing is ever left half done in the catalog; what a compactor killed
    /// before it left are objects no row names, which the archiver's recovery deletes once older than the grace period.
    /// This deletes the rows superseded longer than the grace period ago and their objects that no row in force names.
    /// </remarks>
    public async Task<CompactionRecovery> RecoverCompactionsAsync(CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        var cutoff = _time.GetUtcNow() - _grace;
        var seqs = new List<long>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using (var select = _dataSource.CreateCommand(
            "SELECT seq, object_keys FROM master_commits WHERE source = @source AND superseded_at IS NOT NULL AND superseded_at < @cutoff"))
        {
            select.Parameters.AddWithValue("source", Source);
            select.Parameters.AddWithValue("cutoff", cutoff);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                seqs.Add(reader.GetInt64(0));
                keys.UnionWith(reader.GetFieldValue<string[]>(1));
            }
        }

        if (seqs.Count == 0)
        {
            return new CompactionRecovery(0, 0, 0, 0);
        }

        // A day file a compaction kept is named by the replaced row and by the row in force.
        await using (var inForce = _dataSource.CreateCommand("SELECT unnest(object_keys) FROM master_commits WHERE source = @source AND superseded_at IS NULL"))
        {
            inForce.Parameters.AddWithValue("source", Source);
            await using var reader = await inForce.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keys.Remove(reader.GetString(0));
            }
        }

        // Objects first, rows last: a kill in between leaves rows that name deleted objects, superseded, read by no one.
        foreach (var key in keys)
        {
            await _store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        await using (var delete = _dataSource.CreateCommand("DELETE FROM master_commits WHERE seq = ANY(@seqs)"))
        {
            delete.Parameters.AddWithValue("seqs", seqs.ToArray());
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new CompactionRecovery(0, 0, seqs.Count, keys.Count);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> ReadCommittedEndsAsync(CancellationToken cancellationToken)
    {
        var rows = await ReadRowsAsync(null, cancellationToken).ConfigureAwait(false);
        return MasterDatasetSnapshot.FromCompleteRecords(Root, Source, rows.Select(r => r.Commit).ToList()).CommittedEnds;
    }

    /// <inheritdoc/>
    /// <remarks>One statement for the rows in force and one listing of the source's objects (their sizes).</remarks>
    public async Task<MasterDatasetSize> MeasureAsync(CancellationToken cancellationToken)
    {
        var named = (await ReadRowsAsync(null, cancellationToken).ConfigureAwait(false)).SelectMany(r => r.Keys).ToHashSet(StringComparer.Ordinal);
        long bytes = 0;
        await foreach (var item in _store.ListAsync(KeyPrefix, cancellationToken).ConfigureAwait(false))
        {
            bytes += named.Contains(item.Key) ? item.Size : 0;
        }

        return new MasterDatasetSize(named.Count, bytes);
    }

    /// <inheritdoc/>
    public async Task<MasterDatasetSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken)
    {
        var rows = await ReadRowsAsync(null, cancellationToken).ConfigureAwait(false);
        var snapshot = MasterDatasetSnapshot.FromCompleteRecords(Root, Source, rows.Select(r => r.Commit).ToList());
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (commit, objectKeys) in rows)
        {
            for (var i = 0; i < commit.Files.Count; i++)
            {
                keys[commit.Files[i].Path] = objectKeys[i];
            }
        }

        foreach (var file in snapshot.Files)
        {
            var local = snapshot.GetPath(file);
            if (File.Exists(local))
            {
                continue;
            }

            // Downloaded aside and renamed, so a file in place is always whole (a concurrent reader may do the same).
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            var temp = $"{local}.{Guid.NewGuid():N}.download";
            try
            {
                if (!await _store.DownloadAsync(keys[file.Path], temp, cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidDataException($"the committed data file '{file.Path}' of source '{Source}' is missing from {_store.Location}{keys[file.Path]}");
                }

                File.Move(temp, local, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
        }

        return snapshot;
    }

    private async Task InsertAsync(DatasetCommit commit, string[] keys, long started, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockPartitionAsync(connection, transaction, commit.Partition, cancellationToken).ConfigureAwait(false);
        await using (var overlap = new NpgsqlCommand(
            """
            SELECT first_offset, last_offset FROM master_commits
            WHERE source = @source AND partition = @partition AND superseded_at IS NULL AND first_offset <= @last AND last_offset >= @first
            LIMIT 1
            """, connection, transaction))
        {
            overlap.Parameters.AddWithValue("source", Source);
            overlap.Parameters.AddWithValue("partition", commit.Partition);
            overlap.Parameters.AddWithValue("first", commit.FirstOffset);
            overlap.Parameters.AddWithValue("last", commit.LastOffset);
            await using var reader = await overlap.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var (first, last) = (reader.GetInt64(0), reader.GetInt64(1));
                await reader.DisposeAsync().ConfigureAwait(false);
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                await DeleteUncommittedAsync(keys).ConfigureAwait(false);
                throw new IOException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"commit {commit.FileName} of source '{Source}' overlaps the committed range {first}-{last} of partition {commit.Partition}: another writer committed it"));
            }
        }

        await InsertRowAsync(connection, transaction, commit, keys, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);

        await CommitWithinGraceAsync(transaction, commit, started, cancellationToken).ConfigureAwait(false);
    }

    private async Task SupersedeAsync(DatasetCommit compaction, IReadOnlyList<DatasetCommit> run, Dictionary<string, string> uploaded, long started, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockPartitionAsync(connection, transaction, compaction.Partition, cancellationToken).ConfigureAwait(false);

        // The rows in force over the compaction's range must be exactly the run it was planned from.
        var rows = new List<(long Seq, long First, long Last, string[] Keys)>();
        await using (var select = new NpgsqlCommand(
            """
            SELECT seq, first_offset, last_offset, object_keys FROM master_commits
            WHERE source = @source AND partition = @partition AND superseded_at IS NULL AND first_offset <= @last AND last_offset >= @first
            ORDER BY first_offset
            """, connection, transaction))
        {
            select.Parameters.AddWithValue("source", Source);
            select.Parameters.AddWithValue("partition", compaction.Partition);
            select.Parameters.AddWithValue("first", compaction.FirstOffset);
            select.Parameters.AddWithValue("last", compaction.LastOffset);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<string[]>(3)));
            }
        }

        var matches = rows.Count == run.Count
            && rows.Zip(run).All(p => p.First.First == p.Second.FirstOffset && p.First.Last == p.Second.LastOffset && p.First.Keys.Length == p.Second.Files.Count);
        if (!matches)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            await DeleteUncommittedAsync(uploaded.Values).ConfigureAwait(false);
            throw new CommitLogChangedException(string.Create(
                CultureInfo.InvariantCulture,
                $"compaction {compaction.FileName} of source '{Source}': the commits in force over offsets {compaction.FirstOffset}-{compaction.LastOffset} of partition {compaction.Partition} are no longer the {run.Count} it was planned from"));
        }

        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (row, commit) in rows.Zip(run))
        {
            for (var i = 0; i < commit.Files.Count; i++)
            {
                kept[commit.Files[i].Path] = row.Keys[i];
            }
        }

        var at = _time.GetUtcNow();
        await using (var supersede = new NpgsqlCommand("UPDATE master_commits SET superseded_at = @at WHERE seq = ANY(@seqs)", connection, transaction))
        {
            supersede.Parameters.AddWithValue("at", at);
            supersede.Parameters.AddWithValue("seqs", rows.Select(r => r.Seq).ToArray());
            await supersede.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var keys = compaction.Files.Select(f => uploaded.TryGetValue(f.Path, out var key) ? key : kept[f.Path]).ToArray();
        await InsertRowAsync(connection, transaction, compaction, keys, at, cancellationToken).ConfigureAwait(false);

        await CommitWithinGraceAsync(transaction, compaction, started, cancellationToken).ConfigureAwait(false);
    }

    // Every change to a partition's rows (archive commit, compaction) runs under this lock: an overlap check and the
    // insert after it see no other writer's rows in between.
    private Task LockPartitionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int partition, CancellationToken cancellationToken) =>
        PostgresAdvisoryLock.TakeAsync(
            connection, transaction, MasterCommitCatalogSchema.PartitionLockClass,
            string.Create(CultureInfo.InvariantCulture, $"{Source}/{partition}"), cancellationToken);

    private async Task InsertRowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DatasetCommit commit, string[] keys, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO master_commits (source, partition, first_offset, last_offset, is_compaction, record, object_keys, committed_at)
            VALUES (@source, @partition, @first, @last, @compaction, @record, @keys, @at)
            """, connection, transaction);
        insert.Parameters.AddWithValue("source", Source);
        insert.Parameters.AddWithValue("partition", commit.Partition);
        insert.Parameters.AddWithValue("first", commit.FirstOffset);
        insert.Parameters.AddWithValue("last", commit.LastOffset);
        insert.Parameters.AddWithValue("compaction", commit.IsCompaction);
        insert.Parameters.AddWithValue("record", Encoding.UTF8.GetString(CommitLog.Serialize(commit)));
        insert.Parameters.AddWithValue("keys", keys);
        insert.Parameters.AddWithValue("at", at);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Recovery deletes unnamed objects older than the grace period: a writer that took half of it to get here
    // commits nothing, so its objects are never named after a recovery may have judged them orphans.
    private async Task CommitWithinGraceAsync(NpgsqlTransaction transaction, DatasetCommit commit, long started, CancellationToken cancellationToken)
    {
        if (_time.GetElapsedTime(started) * 2 > _grace)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            throw new IOException($"commit {commit.FileName} of source '{Source}' took longer than half of the uncommitted-object grace period ({_grace}) to upload; not committed");
        }

        cancellationToken.ThrowIfCancellationRequested();
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    // Objects of a commit refused before its insert were never named, so no reader can be reading them.
    private async Task DeleteUncommittedAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            await _store.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<List<(DatasetCommit Commit, string[] Keys)>> ReadRowsAsync(IReadOnlySet<int>? partitions, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        await using var select = _dataSource.CreateCommand(
            """
            SELECT seq, record, object_keys FROM master_commits
            WHERE source = @source AND superseded_at IS NULL AND (@all OR partition = ANY(@partitions))
            ORDER BY partition, first_offset
            """);
        select.Parameters.AddWithValue("source", Source);
        select.Parameters.AddWithValue("all", partitions is null);
        select.Parameters.AddWithValue("partitions", partitions?.ToArray() ?? []);
        var rows = new List<(DatasetCommit, string[])>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var origin = string.Create(CultureInfo.InvariantCulture, $"master_commits row {reader.GetInt64(0)}");
            var commit = _records.Parse(origin, Encoding.UTF8.GetBytes(reader.GetString(1)));
            var keys = reader.GetFieldValue<string[]>(2);
            if (keys.Length != commit.Files.Count)
            {
                throw new InvalidDataException($"{origin} names {keys.Length} objects for {commit.Files.Count} files");
            }

            rows.Add((commit, keys));
        }

        return rows;
    }

    private static string FreshKey(string path)
    {
        const string extension = ".parquet";
        var stem = path.EndsWith(extension, StringComparison.Ordinal) ? path[..^extension.Length] : path;
        return ObjectKeys.Validate($"{stem}.{Guid.NewGuid():N}{extension}");
    }
}
