using System.IO.Compression;
using System.Net;
using Lambda.Shared.ClickHouse;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Tests.ClickHouse;

// The client's own logic (request shape, retry decisions, error mapping) against a scripted
// handler; the same paths run against a real server in Lambda.IntegrationTests.
public sealed class ClickHouseClientTests
{
    private const string Header = "n\tv\nUInt64\tString\n";
    private static int s_port = 40000;

    private static (ClickHouseClient Client, StubHandler Handler) Create(
        Func<StubHandler.Request, int, CancellationToken, Task<HttpResponseMessage>> respond,
        int maxRetries = 3,
        bool compress = false)
    {
        var handler = new StubHandler(respond);
        var options = new ClickHouseOptions
        {
            // A distinct URL per client keeps the process-wide time-zone cache apart between tests.
            Url = new Uri($"http://127.0.0.1:{Interlocked.Increment(ref s_port)}"),
            User = "alice",
            Password = "s3cret",
            Database = "lambda_test",
            MaxRetryAttempts = maxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            CompressInserts = compress,
        };
        return (new ClickHouseClient(new HttpClient(handler), options), handler);
    }

    private static Task<HttpResponseMessage> Ok(string body) => Task.FromResult(StubHandler.Text(HttpStatusCode.OK, body));

    private static Task<HttpResponseMessage> Error(HttpStatusCode status, int code) =>
        Task.FromResult(StubHandler.Text(status, $"Code: {code}, e.displayText() = DB::Exception: failure {code}, e.what() = DB::Exception\n"));

    [Fact]
    public async Task Query_sends_sql_in_the_body_and_options_in_the_url()
    {
        var (client, handler) = Create((_, _, _) => Ok(Header + "1\ta\n2\tb\n"));
        var options = new ClickHouseCallOptions
        {
            SessionId = "s-1",
            SessionTimeout = TimeSpan.FromSeconds(90),
            QueryId = "q-1",
            Settings = new Dictionary<string, string> { ["max_threads"] = "2" },
        };

        var rows = await client.QueryRowsAsync("SELECT n, v FROM t", options, CancellationToken.None);

        Assert.Equal([1UL, 2UL], rows.Select(r => r.GetUInt64(0)));
        Assert.Equal(["a", "b"], rows.Select(r => r.GetString(1)));
        var request = Assert.Single(handler.Requests);
        Assert.Equal("SELECT n, v FROM t", request.BodyText);
        Assert.Equal("lambda_test", request.Parameter("database"));
        Assert.Equal("TabSeparatedWithNamesAndTypes", request.Parameter("default_format"));
        Assert.Equal("s-1", request.Parameter("session_id"));
        Assert.Equal("90", request.Parameter("session_timeout"));
        Assert.Equal("q-1", request.Parameter("query_id"));
        Assert.Equal("2", request.Parameter("max_threads"));
        Assert.Null(request.Parameter("password"));
        Assert.Equal("alice", request.Headers["X-ClickHouse-User"]);
        Assert.Equal("s3cret", request.Headers["X-ClickHouse-Key"]);
    }

    [Fact]
    public async Task Insert_streams_rowbinary_with_the_statement_in_the_url()
    {
        var (client, handler) = Create((_, _, _) => Ok(""));
        var count = await client.InsertAsync(
            "events", ["id", "name"], new[] { (1UL, "a"), (2UL, "bc") },
            (w, row) => { w.WriteUInt64(row.Item1); w.WriteString(row.Item2); });

        Assert.Equal(2, count);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("INSERT INTO `events` (`id`, `name`) FORMAT RowBinary", request.Parameter("query"));
        Assert.Equal("lambda_test", request.Parameter("database"));
        Assert.Equal("01000000000000000161" + "0200000000000000026263", Convert.ToHexString(request.Body));
        Assert.Empty(request.ContentEncoding);
    }

    [Fact]
    public async Task Compressed_insert_body_is_gzip_of_the_same_bytes()
    {
        var (client, handler) = Create((_, _, _) => Ok(""), compress: true);
        await client.InsertAsync("t", [], async (w, ct) =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                w.WriteUInt32((uint)i);
                await w.FlushIfNeededAsync(ct);
            }
        });

        var request = Assert.Single(handler.Requests);
        Assert.Equal(["gzip"], request.ContentEncoding);
        Assert.Equal("INSERT INTO `t` FORMAT RowBinary", request.Parameter("query"));
        using var gzip = new GZipStream(new MemoryStream(request.Body), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await gzip.CopyToAsync(plain);
        Assert.Equal(200_000, plain.Length);
        Assert.Equal(49_999U, BitConverter.ToUInt32(plain.ToArray(), 199_996));
    }

    [Fact]
    public async Task Idempotent_reads_are_retried_on_transient_errors()
    {
        var (client, handler) = Create((_, attempt, _) =>
            attempt < 3 ? Error(HttpStatusCode.InternalServerError, 252) : Ok("x\nUInt8\n7\n"));

        Assert.Equal(7, await client.QueryScalarAsync<int>("SELECT 7 AS x"));
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_attempts()
    {
        var (client, handler) = Create((_, _, _) => Error(HttpStatusCode.ServiceUnavailable, 210), maxRetries: 2);

        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryRowsAsync("SELECT 1"));
        Assert.Equal(210, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Query_errors_are_not_retried()
    {
        var (client, handler) = Create((_, _, _) => Error(HttpStatusCode.BadRequest, 62));

        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryRowsAsync("SELEC 1"));
        Assert.Equal(62, ex.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.False(ex.IsTransient);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Inserts_and_commands_are_not_retried_unless_marked_idempotent()
    {
        var (client, handler) = Create((_, _, _) => Error(HttpStatusCode.InternalServerError, 252), maxRetries: 2);
        var writerRuns = 0;
        ValueTask Write(RowBinaryWriter w, CancellationToken ct)
        {
            writerRuns++;
            w.WriteUInt8(1);
            return ValueTask.CompletedTask;
        }

        var insert = await Assert.ThrowsAsync<ClickHouseException>(() => client.InsertAsync("t", ["a"], Write));
        Assert.True(insert.IsTransient);
        Assert.Single(handler.Requests);
        Assert.Equal(1, writerRuns);

        await Assert.ThrowsAsync<ClickHouseException>(() => client.ExecuteAsync("OPTIMIZE TABLE t FINAL"));
        Assert.Equal(2, handler.Requests.Count);

        await Assert.ThrowsAsync<ClickHouseException>(() =>
            client.InsertAsync("t", ["a"], Write, new ClickHouseCallOptions { Idempotent = true }, CancellationToken.None));
        Assert.Equal(5, handler.Requests.Count);
        Assert.Equal(4, writerRuns);
        Assert.All(handler.Requests.Skip(2), r => Assert.Equal("01", Convert.ToHexString(r.Body)));
    }

    [Fact]
    public async Task Connection_failures_are_transient_network_errors()
    {
        var (client, handler) = Create((_, _, _) => throw new HttpRequestException("Connection refused"), maxRetries: 1);

        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryRowsAsync("SELECT 1"));
        Assert.Equal(ClickHouseFailureKind.Network, ex.Kind);
        Assert.True(ex.IsTransient);
        Assert.Null(ex.ErrorCode);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Slow_answers_become_transient_timeouts_but_caller_cancellation_stays_cancellation()
    {
        var (client, _) = Create(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return StubHandler.Text(HttpStatusCode.OK, "");
        }, maxRetries: 0);

        var timeout = await Assert.ThrowsAsync<ClickHouseException>(() =>
            client.ExecuteAsync("SELECT sleep(3)", new ClickHouseCallOptions { Timeout = TimeSpan.FromMilliseconds(50) }, CancellationToken.None));
        Assert.Equal(ClickHouseFailureKind.Timeout, timeout.Kind);
        Assert.True(timeout.IsTransient);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecuteAsync("SELECT sleep(3)", cancel.Token));
    }

    [Fact]
    public async Task A_failing_row_writer_surfaces_its_own_exception_without_retry()
    {
        var (client, handler) = Create((_, _, _) => Ok(""));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.InsertAsync(
            "t", ["amount"], [1.005m], (w, v) => w.WriteDecimal64(v, 2), new ClickHouseCallOptions { Idempotent = true }));
        Assert.Equal("value", ex.ParamName);
        Assert.True(handler.Requests.Count <= 1);
    }

    [Fact]
    public async Task An_error_after_rows_began_is_thrown_by_the_reader()
    {
        var (client, _) = Create((_, _, _) => Ok(Header + "1\ta\n2\tb\nCode: 395, e.displayText() = DB::Exception: Value passed to 'throwIf' function is non zero, e.what() = DB::Exception\n"));

        await using var reader = await client.OpenReaderAsync("SELECT ...", null, CancellationToken.None);
        Assert.Equal([new ClickHouseColumn("n", "UInt64"), new ClickHouseColumn("v", "String")], reader.Columns);
        Assert.True(await reader.ReadAsync(CancellationToken.None));
        Assert.True(await reader.ReadAsync(CancellationToken.None));
        var ex = await Assert.ThrowsAsync<ClickHouseException>(async () => await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(395, ex.ErrorCode);
        Assert.Equal(ClickHouseFailureKind.Server, ex.Kind);
        Assert.Equal(2, reader.RowsRead);
    }

    [Fact]
    public async Task An_error_after_rows_of_a_single_column_result_is_recognised()
    {
        var (client, _) = Create((_, _, _) => Ok("s\nString\nfirst\nCode: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED) (version 24.8.1.1)\n"));

        var rows = new List<string>();
        var ex = await Assert.ThrowsAsync<ClickHouseException>(async () =>
        {
            await foreach (var row in client.QueryAsync("SELECT s FROM t"))
            {
                rows.Add(row.GetString(0));
            }
        });
        Assert.Equal(["first"], rows);
        Assert.Equal(241, ex.ErrorCode);
        Assert.Equal("MEMORY_LIMIT_EXCEEDED", ex.ErrorName);
        Assert.True(ex.IsTransient);
    }

    [Theory]
    [InlineData("s\nString\n")]
    [InlineData("n\tv\nUInt64\tString\n")]
    public async Task A_tagged_exception_block_of_newer_servers_is_recognised(string header)
    {
        const string tag = "Xy7Kq2Lm9Pz4Rt6W";
        const string message = "Code: 395. DB::Exception: Value passed to 'throwIf' function is non zero. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO) (version 25.11.1.1)";
        var firstRow = header.Contains('\t', StringComparison.Ordinal) ? "1\ta\n" : "a\n";
        var body = header + firstRow + "\r\n__exception__\r\n" + tag + "\r\n" + message + "\n" + message.Length + " " + tag + "\r\n__exception__\r\n";
        var (client, _) = Create((_, _, _) =>
        {
            var response = StubHandler.Text(HttpStatusCode.OK, body);
            response.Headers.Add("X-ClickHouse-Exception-Tag", tag);
            return Task.FromResult(response);
        });

        await using var reader = await client.OpenReaderAsync("SELECT ...", null, CancellationToken.None);
        Assert.True(await reader.ReadAsync(CancellationToken.None));
        var ex = await Assert.ThrowsAsync<ClickHouseException>(async () => await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(395, ex.ErrorCode);
        Assert.Equal("FUNCTION_THROW_IF_VALUE_IS_NON_ZERO", ex.ErrorName);
        Assert.Equal("Value passed to 'throwIf' function is non zero", ex.ServerMessage);
    }

    [Fact]
    public async Task The_server_time_zone_is_asked_once_for_DateTime_columns_without_a_zone()
    {
        var (client, handler) = Create((request, _, _) =>
            request.BodyText == "SELECT timezone()" ? Ok("Asia/Tokyo\n") : Ok("t\nDateTime\n2026-11-25 19:00:00\n"));

        Assert.Equal(new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc), await client.QueryScalarAsync<DateTime>("SELECT t"));
        Assert.Equal(new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc), await client.QueryScalarAsync<DateTime>("SELECT t"));
        Assert.Equal(3, handler.Requests.Count);
        Assert.Single(handler.Requests, r => r.BodyText == "SELECT timezone()");
    }

    [Fact]
    public async Task Scalar_requires_exactly_one_row()
    {
        var (client, _) = Create((_, _, _) => Ok("x\nUInt8\n"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.QueryScalarAsync<int>("SELECT 1 WHERE 0"));
    }

    [Fact]
    public async Task Reserved_or_blank_settings_are_refused_before_sending()
    {
        var (client, handler) = Create((_, _, _) => Ok(""));
        var options = new ClickHouseCallOptions { Settings = new Dictionary<string, string> { ["query"] = "DROP TABLE x" } };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync("SELECT 1", options, CancellationToken.None));
        Assert.Equal("options", ex.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync(" ", null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.InsertAsync("", ["a"], (_, _) => ValueTask.CompletedTask));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task EnsureDatabase_runs_outside_the_database_it_creates()
    {
        var (client, handler) = Create((_, _, _) => Ok(""));
        await client.EnsureDatabaseAsync(CancellationToken.None);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("CREATE DATABASE IF NOT EXISTS `lambda_test`", request.BodyText);
        Assert.Null(request.Parameter("database"));
    }

    [Fact]
    public async Task Health_check_reports_healthy_and_unhealthy()
    {
        var (up, _) = Create((_, _, _) => Ok("1\nUInt8\n1\n"));
        var healthy = await new ClickHouseHealthCheck(up).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, healthy.Status);

        var (down, handler) = Create((_, _, _) => throw new HttpRequestException("Connection refused"));
        var unhealthy = await new ClickHouseHealthCheck(down).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.IsType<ClickHouseException>(unhealthy.Exception);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public void Registration_binds_validates_and_resolves_the_client()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ClickHouse:Url"] = "http://127.0.0.1:28123",
            ["ClickHouse:Database"] = "analytics",
            ["ClickHouse:RequestTimeout"] = "00:00:10",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddLambdaClickHouse(configuration.GetSection("ClickHouse")).BuildServiceProvider();

        var client = provider.GetRequiredService<IClickHouseClient>();
        Assert.IsType<ClickHouseClient>(client);
        Assert.Equal("analytics", client.Database);
        Assert.Equal(TimeSpan.FromSeconds(10), provider.GetRequiredService<IOptions<ClickHouseOptions>>().Value.RequestTimeout);
        Assert.NotNull(provider.GetRequiredService<HealthCheckService>());

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ClickHouse:MaxRetryAttempts"] = "-3" }).Build();
        using var badProvider = new ServiceCollection().AddLogging().AddLambdaClickHouse(bad.GetSection("ClickHouse")).BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IOptions<ClickHouseOptions>>().Value);
        Assert.Contains("ClickHouse:MaxRetryAttempts", ex.Message, StringComparison.Ordinal);
    }
}
