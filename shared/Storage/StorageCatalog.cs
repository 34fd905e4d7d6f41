using Npgsql;

namespace Lambda.Shared.Storage;

/// <summary>
/// The PostgreSQL pool (<c>ConnectionStrings:Postgres</c>) that holds the s3 kind's commit points (lookup versions, ...):
/// S3 has no rename and no create-if-absent, so a unique row insert is what makes a write visible, as in table formats
/// with a database catalog. Created only when the s3 kind asks for it.
/// </summary>
public sealed class StorageCatalog(NpgsqlDataSource dataSource) : IAsyncDisposable, IDisposable
{
    /// <summary>The configuration key of the connection string.</summary>
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>The pool.</summary>
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>A catalog over <paramref name="connectionString"/>, with a message that names the key when it is missing.</summary>
    public static StorageCatalog Create(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new InvalidOperationException($"{ConnectionStringKey} must be set when Storage:Kind is 's3': the commit points of the object store live in PostgreSQL.")
            : new StorageCatalog(NpgsqlDataSource.Create(connectionString));

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <inheritdoc/>
    public void Dispose() => DataSource.Dispose();
}
