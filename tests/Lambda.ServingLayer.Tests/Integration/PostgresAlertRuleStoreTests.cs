using Lambda.ServingLayer.Alerts.Storage;
using Lambda.Testing;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>The alert store against PostgreSQL, in a schema of its own (<c>Serving:Alerts:Schema</c>).</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresAlertRuleStoreTests : AlertRuleStoreContract, IAsyncLifetime
{
    private readonly string _schema = $"it_alerts_{Guid.NewGuid():N}";
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(StackEndpoints.Load().PostgresConnectionString);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using (var drop = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }

    protected override IAlertRuleStore Store() => new PostgresAlertRuleStore(_dataSource, _schema);

    protected override async Task<string?> DeliveryErrorAsync(IAlertRuleStore store, Guid id)
    {
        await using var error = _dataSource.CreateCommand($"SELECT last_error FROM \"{_schema}\".alert_history WHERE id = @id");
        error.Parameters.AddWithValue("id", id);
        return await error.ExecuteScalarAsync() as string;
    }
}
