using System.Text;
using Lambda.Shared.Postgres;
using Lambda.Shared.Storage;
using Npgsql;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// The manifest and the batch-view files in an object store that has no rename and no conditional write (S3). Day
/// files keep their root-relative paths as keys (each run writes its own <c>run=&lt;id&gt;</c> folder, so a key is
/// never overwritten); a publish uploads the named files the store lacks, puts the manifest under a fresh key
/// <c>views/manifests/&lt;run&gt;-&lt;guid&gt;.json</c> and commits it by inserting its row into <c>batch_manifests</c>
/// (<see cref="ManifestCatalogSchema"/>) under an advisory lock, after checking the expected current run. A reader
/// therefore sees the old or the new manifest whole, also across a kill. <see cref="Root"/> is a local directory (the
/// batch layer writes its files there before publishing; readers get the current manifest's files copied there on
/// load), so the code that reads Parquet files by path works unchanged.
/// </summary>
public sealed class ObjectStoreManifestStore(string root, IObjectStore store, NpgsqlDataSource dataSource) : IManifestStore
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
        await using (var gate = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            gate.Parameters.AddWithValue("key", ManifestCatalogSchema.PublishLockKey);
            await gate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var committed = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        await using (var select = new NpgsqlCommand("SELECT object_key, run_id FROM batch_manifests ORDER BY seq", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                committed.Add(reader.GetString(0));
                current = reader.GetString(1);
            }
        }

        if (!string.Equals(current, expectedCurrentRunId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"the published manifest is run '{current ?? "(none)"}', not the expected '{expectedCurrentRunId ?? "(none)"}': another run published in between");
        }

        await DeleteUncommittedManifestsAsync(committed, cancellationToken).ConfigureAwait(false);
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
            throw new InvalidDataException($"new manifest: view '{entry.View}' day {day.Day:yyyy-MM-dd} names '{day.File}', which does not exist");
        }

        await store.PutFileAsync(day.File, local, cancellationToken).ConfigureAwait(false);
    }

    // Under the publish lock, a manifest object no row names was put by a publish that died before its commit.
    private async Task DeleteUncommittedManifestsAsync(HashSet<string> committed, CancellationToken cancellationToken)
    {
        var orphans = new List<string>();
        await foreach (var item in store.ListAsync(ManifestPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (!committed.Contains(item.Key))
            {
                orphans.Add(item.Key);
            }
        }

        foreach (var orphan in orphans)
        {
            await store.DeleteAsync(orphan, cancellationToken).ConfigureAwait(false);
        }
    }
}
