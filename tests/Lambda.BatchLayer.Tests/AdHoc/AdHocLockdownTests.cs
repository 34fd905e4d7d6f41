using DuckDB.NET.Data;
using Lambda.BatchLayer.AdHoc;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.AdHoc;

/// <summary>
/// Ad hoc sessions are read-only: each forbidden action is tried through the query API and must end in a clear
/// refusal (the statement guard or DuckDB's permission error), while the snapshot's own files stay readable and the
/// named output stays writable.
/// </summary>
public sealed class AdHocLockdownTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batch-adhoc-lockdown-").FullName;
    private readonly string _secret;

    public AdHocLockdownTests()
    {
        // A readable file outside the snapshot, which no query may read.
        _secret = Path.Combine(_root, "secret.csv");
        File.WriteAllText(_secret, "token\nhunter2\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string, string> NotOneSelect => new()
    {
        { "COPY (SELECT * FROM master_orders) TO '/tmp/stolen.csv'", "COPY" },
        { "COPY master_orders TO '/tmp/stolen.parquet' (FORMAT parquet)", "COPY" },
        { "EXPORT DATABASE '/tmp/exported'", "EXPORT" },
        { "ATTACH '/tmp/other.duckdb' AS other", "ATTACH" },
        { "INSTALL httpfs", "INSTALL" },
        { "LOAD httpfs", "LOAD" },
        { "SET enable_external_access = true", "SET" },
        { "PRAGMA enable_profiling", "PRAGMA" },
        { "CREATE TABLE t AS SELECT 1", "CREATE" },
        { "INSERT INTO master_orders SELECT * FROM master_orders", "INSERT" },
        { "DROP VIEW master_orders", "DROP" },
        { "SELECT 1; SELECT 2", "two statements" },
        { "SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'", "a COPY after a SELECT" },
    };

    [Theory]
    [MemberData(nameof(NotOneSelect))]
    public async Task Anything_but_one_select_is_refused_before_it_runs(string sql, string what)
    {
        using var session = await OpenAsync();

        var refused = await Assert.ThrowsAsync<AdHocQueryRefusedException>(() => session.QueryAsync(sql, 10, null, CancellationToken.None));

        Assert.StartsWith("refused:", refused.Message, StringComparison.Ordinal);
        Assert.Contains("SELECT", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/stolen.csv"), what);
        Assert.False(File.Exists("/tmp/x.csv"), what);
        var export = Path.Combine(_root, "out.csv");
        await Assert.ThrowsAsync<AdHocQueryRefusedException>(() => session.ExportAsync(sql, export, AdHocOutputFormat.Csv, null, CancellationToken.None));
    }

    [Theory]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "Permission Error")]
    [InlineData("SELECT * FROM read_text('/etc/passwd')", "Permission Error")]
    [InlineData("SELECT * FROM read_blob('/etc/hostname')", "Permission Error")]
    [InlineData("SELECT * FROM glob('/etc/*')", "Permission Error")]
    // Without external access DuckDB does not turn a quoted path into a file scan at all (no replacement scan).
    [InlineData("SELECT * FROM '/etc/passwd'", "Catalog Error: Table with name /etc/passwd does not exist")]
    public async Task Files_outside_the_snapshot_cannot_be_read(string sql, string refusal)
    {
        using var session = await OpenAsync();

        var refused = await Assert.ThrowsAsync<DuckDBException>(() => session.QueryAsync(sql, 10, null, CancellationToken.None));

        Assert.Contains(refusal, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_beside_the_dataset_cannot_be_read_either()
    {
        using var session = await OpenAsync();

        var refused = await Assert.ThrowsAsync<DuckDBException>(
            () => session.QueryAsync($"SELECT * FROM read_csv({AdHocSession.QuoteString(_secret)})", 10, null, CancellationToken.None));

        Assert.Contains("Permission Error", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_query_cannot_write_to_a_path_other_than_its_output()
    {
        var allowed = Path.Combine(_root, "jobs", "a", "result.parquet");
        var other = Path.Combine(_root, "elsewhere.parquet");
        using var session = await OpenAsync(allowed);

        var refused = await Assert.ThrowsAsync<DuckDBException>(
            () => session.ExportAsync("SELECT count(*) FROM master_orders", other, AdHocOutputFormat.Parquet, null, CancellationToken.None));

        Assert.Contains("Permission Error", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(other));
        Assert.Equal(1, await session.ExportAsync("SELECT count(*) FROM master_orders", allowed, AdHocOutputFormat.Parquet, null, CancellationToken.None));
        Assert.True(File.Exists(allowed));
    }

    [Theory]
    [InlineData("SELECT * FROM duckdb_settings() WHERE name = 'enable_external_access' AND value = 'false'")]
    [InlineData("SELECT * FROM duckdb_settings() WHERE name = 'lock_configuration' AND value = 'true'")]
    [InlineData("SELECT * FROM duckdb_settings() WHERE name = 'autoload_known_extensions' AND value = 'false'")]
    [InlineData("SELECT * FROM duckdb_settings() WHERE name = 'autoinstall_known_extensions' AND value = 'false'")]
    public async Task The_session_runs_locked(string sql)
    {
        using var session = await OpenAsync();

        var result = await session.QueryAsync(sql, 10, null, CancellationToken.None);

        Assert.Equal(1, result.TotalRows);
    }

    [Fact]
    public async Task Configuration_cannot_be_changed_through_a_select()
    {
        using var session = await OpenAsync();

        // A SELECT cannot hold a SET; the only route left would be a setting function, which lock_configuration refuses.
        var refused = await Assert.ThrowsAnyAsync<Exception>(
            () => session.QueryAsync("SELECT current_setting('enable_external_access'), set_config('enable_external_access', 'true')", 1, null, CancellationToken.None));

        Assert.True(refused is DuckDBException or AdHocQueryRefusedException, refused.ToString());
    }

    [Theory]
    [InlineData("SELECT count(*) FROM master_orders")]
    [InlineData("WITH paid AS (SELECT * FROM master_orders WHERE status = 'paid') SELECT country, count(*) FROM paid GROUP BY country")]
    [InlineData("FROM master_orders SELECT count(*)")]
    [InlineData("SELECT 1 UNION ALL SELECT 2;")]
    [InlineData("VALUES (1), (2)")]
    public async Task Every_form_of_one_select_over_the_snapshot_runs(string sql)
    {
        using var session = await OpenAsync();

        var result = await session.QueryAsync(sql, 10, null, CancellationToken.None);

        Assert.True(result.TotalRows >= 1);
    }

    private async Task<AdHocSession> OpenAsync(string? output = null)
    {
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, MasterDatasetTestFiles.Orders(120));
        var engine = new AdHocSqlEngine(
            Options.Create(new BatchLayerOptions { DatasetRoot = _root }),
            new FixedBatchViewFiles(new Dictionary<string, IReadOnlyList<string>>()),
            NullLogger<AdHocSqlEngine>.Instance);
        return await engine.OpenAsync(null, CancellationToken.None, outputFiles: output is null ? null : [output]);
    }
}
