using Npgsql;

namespace Lambda.BatchLayer.Status;

/// <summary>
/// The batch layer's connection pool to PostgreSQL (<c>ConnectionStrings:Postgres</c>), shared by the
/// run store and the recompute lock. Hangfire keeps its own connections.
/// </summary>
public sealed class BatchDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>The configuration key of the connection string.</summary>
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>Creates the pool; nothing connects until the first command.</summary>
    /// <exception cref="ArgumentException">The connection string is missing or malformed.</exception>
    public BatchDatabase(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException($"{ConnectionStringKey} must be set to the PostgreSQL connection string (e.g. Host=127.0.0.1;Port=55432;Username=postgres;Database=lambda).", nameof(connectionString));
        }

        try
        {
            DataSource = NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"{ConnectionStringKey} is not a valid PostgreSQL connection string: {ex.Message}", nameof(connectionString), ex);
        }
    }

    /// <summary>The pool.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Opens a pooled connection.</summary>
    public ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) => DataSource.OpenConnectionAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => DataSource.Dispose();
}
