using Lambda.Shared.Postgres;
using Lambda.Shared.Storage;
using Npgsql;

namespace Lambda.Shared.Dataset;

/// <summary>The commit logs of <c>Storage:Kind = s3</c>: <see cref="ObjectStoreCommitLog"/>, sharing one schema gate.</summary>
/// <param name="root">The local dataset root (<c>Batch:DatasetRoot</c>): data files written aside, and the snapshots' copies.</param>
/// <param name="store">The object store holding the data files.</param>
/// <param name="dataSource">The PostgreSQL database holding <c>master_commits</c>.</param>
/// <param name="grace">How old an object no row names must be before recovery deletes it (<see cref="StorageOptions.UncommittedObjectGrace"/>).</param>
/// <param name="time">The clock.</param>
public sealed class ObjectStoreCommitLogs(string root, IObjectStore store, NpgsqlDataSource dataSource, TimeSpan grace, TimeProvider time) : IMasterCommitLogs
{
    private readonly PostgresSchemaGate _schema = new(MasterCommitCatalogSchema.SchemaLockKey, MasterCommitCatalogSchema.Statements);

    /// <inheritdoc/>
    public IMasterCommitLog Open(string source) => new ObjectStoreCommitLog(root, source, store, dataSource, _schema, grace, time);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListSourcesAsync(CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var select = dataSource.CreateCommand("SELECT DISTINCT source FROM master_commits");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var sources = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sources.Add(reader.GetString(0));
        }

        sources.Sort(StringComparer.Ordinal);
        return sources;
    }
}
