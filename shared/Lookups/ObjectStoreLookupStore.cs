using System.Globalization;
using Lambda.Shared.Postgres;
using Lambda.Shared.Storage;
using Npgsql;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.Shared.Lookups;

/// <summary>
/// Lookup versions in an object store that has no rename and no conditional write (S3): each version is written once
/// to a fresh key <c>lookups/&lt;name&gt;/v000001-&lt;guid&gt;.json</c>, then committed by inserting its row into
/// <c>lookup_versions</c> (<see cref="LookupCatalogSchema"/>); the highest committed version is current. A reader
/// therefore sees a version whole or not at all, also across a kill between the two steps: the object then stays
/// unnamed, and the next publish of that lookup deletes it. Publishes of one lookup are serialised by a PostgreSQL
/// advisory lock held for the publish's transaction, across processes too.
/// </summary>
public sealed class ObjectStoreLookupStore(IObjectStore store, NpgsqlDataSource dataSource, TimeProvider time) : ILookupReader, ILookupPublisher
{
    private readonly PostgresSchemaGate _schema = new(LookupCatalogSchema.SchemaLockKey, LookupCatalogSchema.Statements);

    /// <summary>The key prefix of lookup <paramref name="name"/>'s objects.</summary>
    public static string PrefixOf(string name) => $"{FileLookupStore.FolderName}/{name}/";

    /// <inheritdoc/>
    public async Task<long?> CurrentVersionAsync(string name, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand("SELECT max(version) FROM lookup_versions WHERE lookup = @lookup");
        command.Parameters.AddWithValue("lookup", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : null;
    }

    /// <inheritdoc/>
    public async Task<LookupTable?> ReadVersionAsync(LookupDefinition lookup, long version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        await _schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand("SELECT object_key FROM lookup_versions WHERE lookup = @lookup AND version = @version");
        command.Parameters.AddWithValue("lookup", lookup.Name);
        command.Parameters.AddWithValue("version", version);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string key)
        {
            return null;
        }

        var bytes = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"lookup '{lookup.Name}' version {version} is committed but its object {store.Location}{key} is missing");
        return LookupVersionFile.Parse(lookup, version, bytes);
    }

    /// <inheritdoc/>
    public Task<LookupSnapshot> ReadSnapshotAsync(LambdaCatalog catalog, CancellationToken cancellationToken) =>
        LookupSnapshots.ReadCurrentAsync(this, catalog, cancellationToken);

    /// <inheritdoc/>
    public async Task<LookupTable> PublishAsync(LookupDefinition lookup, IReadOnlyList<LookupRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(rows);
        await _schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var publishedAt = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await PostgresAdvisoryLock.TakeAsync(connection, transaction, LookupCatalogSchema.PublishLockClass, lookup.Name, cancellationToken).ConfigureAwait(false);

        var committed = await CommittedKeysAsync(connection, transaction, lookup.Name, cancellationToken).ConfigureAwait(false);
        var version = committed.Count == 0 ? 1 : committed.Values.Max() + 1;
        // Validates the rows (types, duplicates) before anything is written.
        var table = new LookupTable(lookup, version, publishedAt, rows);
        await DeleteUncommittedAsync(lookup.Name, committed, cancellationToken).ConfigureAwait(false);

        var key = $"{PrefixOf(lookup.Name)}v{version.ToString("D6", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.json";
        await store.PutAsync(key, LookupVersionFile.Serialize(lookup, version, publishedAt, rows), cancellationToken).ConfigureAwait(false);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO lookup_versions (lookup, version, object_key, published_at) VALUES (@lookup, @version, @key, @at)", connection, transaction))
        {
            insert.Parameters.AddWithValue("lookup", lookup.Name);
            insert.Parameters.AddWithValue("version", version);
            insert.Parameters.AddWithValue("key", key);
            insert.Parameters.AddWithValue("at", publishedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return table;
    }

    private static async Task<Dictionary<string, long>> CommittedKeysAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT object_key, version FROM lookup_versions WHERE lookup = @lookup", connection, transaction);
        command.Parameters.AddWithValue("lookup", name);
        var keys = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys[reader.GetString(0)] = reader.GetInt64(1);
        }

        return keys;
    }

    // Under the publish lock no other publish of this lookup is between its put and its commit, so an object no row
    // names was left by a publish that died there: nobody can ever read it.
    private async Task DeleteUncommittedAsync(string name, Dictionary<string, long> committed, CancellationToken cancellationToken)
    {
        var orphans = new List<string>();
        await foreach (var item in store.ListAsync(PrefixOf(name), cancellationToken).ConfigureAwait(false))
        {
            if (!committed.ContainsKey(item.Key))
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
