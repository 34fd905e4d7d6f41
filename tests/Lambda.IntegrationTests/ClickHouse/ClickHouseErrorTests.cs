using System.Net;
using System.Net.Sockets;
using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lambda.IntegrationTests.ClickHouse;

[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ClickHouseErrorTests(ClickHouseFixture fixture) : IClassFixture<ClickHouseFixture>
{
    private static Uri ClosedPort() => new($"http://127.0.0.1:{FreePort.Next()}");

    [Fact]
    public async Task Bad_sql_is_a_permanent_server_error_with_its_code()
    {
        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => fixture.Client.QueryRowsAsync("SELEC 1"));
        Assert.Equal(62, ex.ErrorCode);
        Assert.Equal(ClickHouseFailureKind.Server, ex.Kind);
        Assert.False(ex.IsTransient);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("Syntax error", ex.ServerMessage, StringComparison.Ordinal);
        Assert.StartsWith("ClickHouse error 62", ex.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<ClickHouseException>(() => fixture.Client.ExecuteAsync("SELECT * FROM no_such_table"));
        Assert.Equal(60, unknown.ErrorCode);
        Assert.False(unknown.IsTransient);
    }

    [Fact]
    public async Task An_insert_into_a_missing_table_reports_the_server_error_not_a_broken_connection()
    {
        var rows = Enumerable.Range(0, 100_000).Select(i => (ulong)i);
        var ex = await Assert.ThrowsAsync<ClickHouseException>(() =>
            fixture.Client.InsertAsync("no_such_table", ["x"], rows, (w, x) => w.WriteUInt64(x)));
        Assert.Equal(ClickHouseFailureKind.Server, ex.Kind);
        Assert.Equal(60, ex.ErrorCode);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task A_truncated_rowbinary_body_is_rejected_and_stores_nothing()
    {
        await fixture.Client.ExecuteAsync("CREATE TABLE truncated (a UInt64, b String) ENGINE = MergeTree ORDER BY a");
        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => fixture.Client.InsertAsync("truncated", ["a", "b"], (w, _) =>
        {
            w.WriteUInt64(1);
            w.WriteString("complete");
            w.WriteUInt64(2);
            w.WriteVarUInt(100); // announces 100 bytes, sends 3
            w.WriteRaw("abc"u8);
            return ValueTask.CompletedTask;
        }));
        Assert.Equal(ClickHouseFailureKind.Server, ex.Kind);
        Assert.NotNull(ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Equal(0UL, await fixture.Client.QueryScalarAsync<ulong>("SELECT count() FROM truncated"));
    }

    // A ClickHouse server's HTTP feature (streamed answers) the chDB server does not have (see chdb-server/README.md): not run on it.
    [Trait("ClickHouseServer", "Required")]
    [Fact]
    public async Task An_error_in_the_middle_of_a_streamed_result_is_thrown_after_the_rows_before_it()
    {
        var options = new ClickHouseCallOptions { Settings = new Dictionary<string, string> { ["max_block_size"] = "1000" } };
        long seen = 0;
        var ex = await Assert.ThrowsAsync<ClickHouseException>(async () =>
        {
            await foreach (var row in fixture.Client.QueryAsync(
                "SELECT number, throwIf(number = 500000) FROM system.numbers LIMIT 1000000", options))
            {
                Assert.Equal(seen++, row.GetInt64(0));
            }
        });
        Assert.Equal(395, ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.InRange(seen, 1, 500_000);
    }

    [Fact]
    public async Task A_closed_port_is_a_transient_network_failure_retried_only_for_idempotent_calls()
    {
        CountingHandler? counter = null;
        var client = fixture.CreateClient(fixture.Options(url: ClosedPort(), maxRetries: 2), inner => counter = new CountingHandler(inner));

        var query = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryRowsAsync("SELECT 1"));
        Assert.Equal(ClickHouseFailureKind.Network, query.Kind);
        Assert.True(query.IsTransient);
        Assert.True(ClickHouseRetry.IsTransient(query));
        Assert.Null(query.ErrorCode);
        Assert.Equal(3, counter!.Requests);

        var insert = await Assert.ThrowsAsync<ClickHouseException>(() =>
            client.InsertAsync("t", ["x"], [1UL], (w, x) => w.WriteUInt64(x)));
        Assert.True(insert.IsTransient);
        Assert.Equal(4, counter.Requests);

        await Assert.ThrowsAsync<ClickHouseException>(() => client.ExecuteAsync("OPTIMIZE TABLE t FINAL"));
        Assert.Equal(5, counter.Requests);

        var health = await new ClickHouseHealthCheck(client).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
    }

    [Fact]
    public async Task A_slow_query_past_its_timeout_is_a_transient_timeout()
    {
        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => fixture.Client.ExecuteAsync(
            "SELECT sleep(2)", new ClickHouseCallOptions { Timeout = TimeSpan.FromMilliseconds(300) }, CancellationToken.None));
        Assert.Equal(ClickHouseFailureKind.Timeout, ex.Kind);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task A_wrong_password_is_a_permanent_authentication_error()
    {
        var client = fixture.CreateClient(fixture.Options(password: "definitely-wrong"));
        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryRowsAsync("SELECT 1"));
        Assert.Contains(ex.ErrorCode, new int?[] { 193, 516 }); // WRONG_PASSWORD (18.16), AUTHENTICATION_FAILED (newer)
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task Health_check_is_healthy_on_the_server_and_names_a_missing_database()
    {
        var healthy = await new ClickHouseHealthCheck(fixture.Client).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, healthy.Status);

        var missing = fixture.CreateClient(fixture.Options(database: "no_such_db_" + Guid.NewGuid().ToString("N")[..8]));
        var unhealthy = await new ClickHouseHealthCheck(missing).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(81, Assert.IsType<ClickHouseException>(unhealthy.Exception).ErrorCode); // UNKNOWN_DATABASE
    }
}
