using global::Hangfire;
using global::Hangfire.PostgreSql;
using global::Hangfire.PostgreSql.Factories;
using global::Hangfire.States;
using Lambda.Testing;
using Npgsql;

namespace Lambda.IntegrationTests.Hangfire;

/// <summary>Hangfire on the local PostgreSQL: the batch layer's scheduler and its storage.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class HangfirePostgresTests
{
    [Fact]
    public async Task Job_enqueued_in_postgres_storage_is_run_by_a_server_and_recorded_as_succeeded()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var connectionString = StackEndpoints.Load().PostgresConnectionString;
        var schema = $"it_hangfire_{Guid.NewGuid():N}";
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = schema,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = TimeSpan.FromMilliseconds(200),
        };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        try
        {
            var marker = Guid.NewGuid().ToString("N");
            string jobId;
            using (new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = 1, ServerName = $"it-{marker}" }, storage))
            {
                jobId = new BackgroundJobClient(storage).Enqueue(() => HangfireProbeJob.Run(marker));

                var ranAt = await HangfireProbeJob.WhenRan(marker).WaitAsync(cts.Token);
                Assert.True(ranAt <= DateTime.UtcNow);

                while (storage.GetMonitoringApi().JobDetails(jobId)?.History.FirstOrDefault()?.StateName != SucceededState.StateName)
                {
                    await Task.Delay(100, cts.Token);
                }
            }

            // The state lives in PostgreSQL, in this test's own schema.
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cts.Token);
            await using var command = new NpgsqlCommand($"SELECT statename, invocationdata FROM \"{schema}\".job WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture));
            await using var reader = await command.ExecuteReaderAsync(cts.Token);
            Assert.True(await reader.ReadAsync(cts.Token), $"job {jobId} is not in {schema}.job");
            Assert.Equal(SucceededState.StateName, reader.GetString(0));
            Assert.Contains(nameof(HangfireProbeJob.Run), reader.GetString(1), StringComparison.Ordinal);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
