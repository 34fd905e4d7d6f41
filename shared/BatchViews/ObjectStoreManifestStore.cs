using System.Text;
using Lambda.Shared.Postgres;
using Lambda.Shared.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// The manifest and the batch-view files in an object store that has no rename and no conditional write (S3). Day
/// files keep their root-relative paths as keys (each run writes its own <c>run=&lt;id&gt;</c> folder, so a key is
/// never overwritten); a publish uploads the named files the store lacks, puts the manifest under a fresh key
/// <c>views/manifests/&lt;run&gt;-&lt;guid&gt;.json</c> and commits it by inserting its row into <c>batch_manifests</c>
/// (<see cref="ManifestCatalogSchema"/>) under an advisory lock, after checking the expected current run. A reader
/// therefore sees the old or the new manifest whole, also across a kill; a manifest object a publish killed before its
/// commit stays unnamed, and retention deletes it with the other unnamed objects once it is older than the grace period
/// (a publish itself reads only the newest row, so its cost does not grow with the rows kept). <see cref="Root"/> is a local directory (the
/// batch layer writes its files there before publishing; readers get the current manifest's files copied there on
/// load), so the code that reads Parquet files by path works unchanged. A manifest's rows stay until retention
/// (<see cref="IStoredViewsRetention"/>) drops those superseded longer than its grace period ago: the next row's
/// <c>published_at</c> is when a manifest was superseded.
/// </summary>
/// <param name="root">The local directory the batch layer writes into and readers copy the current files to.</param>
/// <param name="store">The object store holding the manifests and the day files.</param>
/// <param name="dataSource">The PostgreSQL database holding <c>batch_manifests</c>.</param>
/// <param name="logger">Where retention's skipping of an unreadable expired manifest is reported.</param>
public sealed partial class ObjectStoreManifestStore(string root, IObjectStore store, NpgsqlDataSource dataSource, ILogger<ObjectStoreManifestStore> logger)
    : IManifestStore, IStoredViewsRetention, IBatchViewFileStager
{
    /// <summary>The key prefix of the manifest objects.</summary>
    public const string ManifestPrefix = BatchViewLayout.ViewsDirectoryName + "/manifests/";

    private readonly PostgresSchemaGate _schema = new(ManifestCatalogSchema.SchemaLockKey, ManifestCatalogSchema.Statements);

    /// <inheritdoc/>
    public string Root { get; } = Path.GetFullPath(root);

    /// <inheritdoc/>
    public async Task<BatchManifest?> LoadAsync(CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand("SELECT object_key FROM batch_manifests ORDER BY seq DESC LIMIT 1");
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string key)
        {
            return null;
        }

        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"the current manifest {store.Location}{key} is committed but missing");
        var manifest = ManifestStore.Deserialize(Encoding.UTF8.GetString(bytes), store.Location + key);
        foreach (var entry in manifest.Views.Values)
        {
            foreach (var day in entry.Days)
            {
                var local = BatchViewLayout.Resolve(Root, day.File);
                if (!File.Exists(local))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                    if (!await store.DownloadAsync(day.File, local, cancellationToken).ConfigureAwait(false))
                    {
                        throw new InvalidDataException($"{store.Location}{key}: view '{entry.View}' day {day.Day:yyyy-MM-dd} names '{day.File}', which is not in the store");
                    }
                }
            }
        }

        return manifest;
    }

    /// <inheritdoc/>
    public async Task PublishAsync(BatchManifest manifest, string? expectedCurrentRunId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ManifestStore.Validate(manifest, "new manifest");
        await _schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        foreach (var entry in manifest.Views.Values)
        {
            foreach (var day in entry.Days)
            {
                await UploadIfMissingAsync(entry, day, cancellationToken).ConfigureAwait(false);
            }
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await PostgresAdvisoryLock.TakeAsync(connection, transaction, ManifestCatalogSchema.PublishLockKey, cancellationToken).ConfigureAwait(false);

        // Rows are inserted only under this lock, so the highest seq is the last commit; the primary key index finds it
        // without reading the rows before it, however many publishes retention has kept.
        string? current;
        await using (var select = new NpgsqlCommand("SELECT run_id FROM batch_manifests ORDER BY seq DESC LIMIT 1", connection, transaction))
        {
            current = await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (!string.Equals(current, expectedCurrentRunId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"the published manifest is run '{current ?? "(none)"}', not the expected '{expectedCurrentRunId ?? "(none)"}': another run published in between");
        }

        var key = $"{ManifestPrefix}{manifest.RunId}-{Guid.NewGuid():N}.json";
        await store.PutAsync(key, Encoding.UTF8.GetBytes(ManifestStore.Serialize(manifest)), cancellationToken).ConfigureAwait(false);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO batch_manifests (run_id, object_key, published_at) VALUES (@run, @key, @at)", connection, transaction))
        {
            insert.Parameters.AddWithValue("run", manifest.RunId);
            insert.Parameters.AddWithValue("key", key);
            insert.Parameters.AddWithValue("at", manifest.PublishedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    // Files of earlier runs are in the store since their run published; this run's are still local only.
    /// <inheritdoc/>
    /// <remarks>
    /// Uploaded right after the chunk wrote it, so a publish on another instance finds it in the bucket. Until the run is
    /// published the object is named by no manifest: retention keeps unnamed objects for its grace period.
    /// </remarks>
    public async Task StageAsync(string file, CancellationToken cancellationToken)
    {
        var local = BatchViewLayout.Resolve(Root, file);
        if (!File.Exists(local))
        {
            throw new FileNotFoundException($"the batch-view file '{file}' to stage does not exist under '{Root}'", local);
        }

        await store.PutFileAsync(file, local, cancellationToken).ConfigureAwait(false);
    }

    private async Task UploadIfMissingAsync(BatchViewEntry entry, BatchViewDay day, CancellationToken cancellationToken)
    {
        await foreach (var item in store.ListAsync(day.File, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(item.Key, day.File, StringComparison.Ordinal))
            {
                return;
            }
        }

        var local = BatchViewLayout.Resolve(Root, day.File);
        if (!File.Exists(local))
        {
            throw new InvalidDataException($"new manifest: view '{entry.View}' day {day.Day:yyyy-MM-dd} names '{day.File}', which is neither in the store nor under this instance's root");
        }

        await store.PutFileAsync(day.File, local, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<UnnamedViewObject>> ListUnnamedAsync(DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken) =>
        AsIOErrorsAsync(() => ListUnnamedCoreAsync(now, grace, cancellationToken), "list the unnamed batch-view objects");

    /// <inheritdoc/>
    public Task ForgetManifestsSupersededByAsync(DateTimeOffset supersededBy, CancellationToken cancellationToken) =>
        AsIOErrorsAsync(() => ForgetCoreAsync(supersededBy, cancellationToken), "drop the rows of expired manifests");

    /// <inheritdoc/>
    public Task DeleteObjectAsync(string key, CancellationToken cancellationToken)
    {
        if (!ObjectKeys.Validate(key).StartsWith(BatchViewLayout.ViewsDirectoryName + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{key}' is not under {BatchViewLayout.ViewsDirectoryName}/: retention deletes nothing else", nameof(key));
        }

        return AsIOErrorsAsync(
            async () =>
            {
                await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                return true;
            },
            $"delete {key}");
    }

    // Retention runs after a publish that stands: an unreachable bucket or database must fail the pass as I/O, which
    // its callers log and retry next time, not as a foreign exception type that would fail the recompute.
    private async Task<T> AsIOErrorsAsync<T>(Func<Task<T>> action, string what)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or NpgsqlException or HttpRequestException)
        {
            throw new IOException($"could not {what} in {store.Location}: {ex.Message}", ex);
        }
    }

    private async Task<IReadOnlyList<UnnamedViewObject>> ListUnnamedCoreAsync(DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var rows = new List<(string Key, DateTimeOffset PublishedAt)>();
        await using (var select = dataSource.CreateCommand("SELECT object_key, published_at FROM batch_manifests ORDER BY seq"))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
            }
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        var supersededSince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            DateTimeOffset? supersededAt = i + 1 < rows.Count ? rows[i + 1].PublishedAt : null;
            var live = supersededAt is not { } at || now - at < grace;
            var files = await NamedKeysAsync(rows[i].Key, live, cancellationToken).ConfigureAwait(false);
            foreach (var key in files)
            {
                if (live)
                {
                    named.Add(key);
                }
                else if (!supersededSince.TryGetValue(key, out var since) || since < supersededAt!.Value)
                {
                    supersededSince[key] = supersededAt!.Value;
                }
            }
        }

        var unnamed = new List<UnnamedViewObject>();
        await foreach (var item in store.ListAsync(BatchViewLayout.ViewsDirectoryName + "/", cancellationToken).ConfigureAwait(false))
        {
            if (!named.Contains(item.Key))
            {
                unnamed.Add(new UnnamedViewObject(item.Key, item.Size, supersededSince.TryGetValue(item.Key, out var since) ? since : item.LastModified));
            }
        }

        return unnamed;
    }

    private async Task<bool> ForgetCoreAsync(DateTimeOffset supersededBy, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await PostgresAdvisoryLock.TakeAsync(connection, transaction, ManifestCatalogSchema.PublishLockKey, cancellationToken).ConfigureAwait(false);

        // The current row has no successor, so the subquery is NULL and it is never dropped.
        await using (var delete = new NpgsqlCommand(
            """
            DELETE FROM batch_manifests m
            WHERE (SELECT n.published_at FROM batch_manifests n WHERE n.seq > m.seq ORDER BY n.seq LIMIT 1) <= @cutoff
            """, connection, transaction))
        {
            delete.Parameters.AddWithValue("cutoff", supersededBy);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    // A manifest's own object and its day files. One a reader may still hold must be readable; an expired one that is
    // gone or damaged names nothing, so its files are judged by their age alone.
    private async Task<IReadOnlyList<string>> NamedKeysAsync(string key, bool live, CancellationToken cancellationToken)
    {
        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return live ? throw new InvalidDataException($"the committed manifest {store.Location}{key} is missing") : [];
        }

        BatchManifest manifest;
        try
        {
            manifest = ManifestStore.Deserialize(Encoding.UTF8.GetString(bytes), store.Location + key);
        }
        catch (InvalidDataException ex) when (!live)
        {
            LogUnreadableExpiredManifest(logger, key, store.Location, ex.Message);
            return [];
        }

        return [key, .. manifest.Views.Values.SelectMany(e => e.Days).Select(d => d.File.Replace('\\', '/'))];
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Retention skips the expired manifest {ObjectKey} in {Store}, which cannot be read ({Reason}): the day files it named are judged by their age alone")]
    private static partial void LogUnreadableExpiredManifest(ILogger logger, string objectKey, string store, string reason);
}
