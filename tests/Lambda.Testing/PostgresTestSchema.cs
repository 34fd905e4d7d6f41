using Npgsql;

namespace Lambda.Testing;

/// <summary>
/// A PostgreSQL schema of its own for one test (class) in the stack's database: <see cref="DataSource"/> has it as the
/// search path, so the stores create their tables there; disposing drops it.
/// </summary>
public sealed class PostgresTestSchema : IAsyncDisposable
{
    private readonly NpgsqlDataSource _admin;

    private PostgresTestSchema(string name, NpgsqlDataSource admin, NpgsqlDataSource dataSource)
    {
        Name = name;
        _admin = admin;
        DataSource = dataSource;
    }

    /// <summary>The schema's name.</summary>
    public string Name { get; }

    /// <summary>A pool whose connections work in the schema.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Creates <c>&lt;prefix&gt;_&lt;guid&gt;</c>.</summary>
    public static async Task<PostgresTestSchema> CreateAsync(string prefix)
    {
        var connectionString = StackEndpoints.Load().PostgresConnectionString;
        var name = $"{prefix}_{Guid.NewGuid():N}";
        var admin = NpgsqlDataSource.Create(connectionString);
        await using (var create = admin.CreateCommand($"CREATE SCHEMA \"{name}\""))
        {
            await create.ExecuteNonQueryAsync();
        }

        return new PostgresTestSchema(name, admin, NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = name }.ConnectionString));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using (var drop = _admin.CreateCommand($"DROP SCHEMA IF EXISTS \"{Name}\" CASCADE"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await _admin.DisposeAsync();
    }
}
