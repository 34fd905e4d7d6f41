using System.Diagnostics;
using System.Text.Json;
using DuckDB.NET.Data;
using Lambda.BatchLayer.AdHoc;
using Lambda.Shared.AdHoc;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.AdHoc;

/// <summary>The batch worker's ad hoc job over real master-dataset files and DuckDB, with the job store in memory.</summary>
public sealed class AdHocJobRunnerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batch-adhoc-job-").FullName;
    private readonly InMemoryAdHocJobRuns _store = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(AdHocJobFormat.Parquet)]
    [InlineData(AdHocJobFormat.Csv)]
    public async Task A_job_writes_its_result_under_the_jobs_folder_and_records_rows_bytes_and_the_snapshot(AdHocJobFormat format)
    {
        var orders = MasterDatasetTestFiles.Orders(900);
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, orders);
        var job = _store.Add("SELECT country, count(*) AS n, sum(amount) AS total FROM master_orders WHERE status = 'paid' GROUP BY country ORDER BY country", format);

        await Runner().RunAsync(job.Id.ToString("D"), CancellationToken.None);

        var done = _store[job.Id];
        Assert.Equal(AdHocJobState.Succeeded, done.State);
        Assert.Null(done.Error);
        Assert.Equal($"jobs/{job.Id:D}/result.{format.ToName()}", done.ResultPath);
        var path = Path.Combine(_root, "jobs", job.Id.ToString("D"), "result." + format.ToName());
        Assert.Equal(new FileInfo(path).Length, done.Bytes);
        Assert.Equal(3, done.Rows);
        Assert.Equal(100, done.Progress);
        Assert.Equal(1, done.Attempts);

        // The oracle: the orders the files were written from, grouped here.
        var expected = orders.Where(o => o.Status == "paid").GroupBy(o => o.Country).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (long)g.Count(), g.Sum(o => o.Amount))).ToList();
        Assert.Equal(expected, ReadBack(path, format));

        // The snapshot names the committed end of every partition the job read.
        var snapshot = JsonDocument.Parse(done.Snapshot!).RootElement.GetProperty("master").GetProperty("orders");
        Assert.Equal(orders.Count, snapshot.GetProperty("rows").GetInt64());
        var ends = snapshot.GetProperty("committed_ends");
        foreach (var partition in orders.GroupBy(o => o.Partition))
        {
            Assert.Equal(partition.Max(o => o.Offset) + 1, ends.GetProperty(partition.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetInt64());
        }
    }

    [Theory]
    [InlineData("COPY (SELECT * FROM master_orders) TO '/tmp/adhoc-stolen.csv'", "refused:")]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "Permission Error")]
    [InlineData("SELECT * FROM master_nothing", "master_nothing")]
    public async Task Refused_or_failing_sql_fails_the_job_with_the_reason_and_leaves_no_file(string sql, string reason)
    {
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, MasterDatasetTestFiles.Orders(60));
        var job = _store.Add(sql, AdHocJobFormat.Csv);

        await Runner().RunAsync(job.Id.ToString("D"), CancellationToken.None);

        var done = _store[job.Id];
        Assert.Equal(AdHocJobState.Failed, done.State);
        Assert.Contains(reason, done.Error, StringComparison.Ordinal);
        Assert.NotNull(done.FinishedAt);
        Assert.False(File.Exists(Path.Combine(_root, "jobs", job.Id.ToString("D"), "result.csv")));
        Assert.False(File.Exists("/tmp/adhoc-stolen.csv"));
    }

    [Fact]
    public async Task A_job_the_worker_cannot_open_fails_with_a_message_that_points_to_the_log()
    {
        // A damaged commit record: the snapshot cannot be taken.
        var commits = Path.Combine(_root, "master", "orders", "_commits");
        Directory.CreateDirectory(commits);
        await File.WriteAllTextAsync(Path.Combine(commits, "p0-0-9.json"), "{ not json");
        var job = _store.Add("SELECT count(*) FROM master_orders", AdHocJobFormat.Parquet);

        await Runner().RunAsync(job.Id.ToString("D"), CancellationToken.None);

        var done = _store[job.Id];
        Assert.Equal(AdHocJobState.Failed, done.State);
        Assert.Equal("the job failed on the batch worker (InvalidDataException); the batch layer's log has the details", done.Error);
        Assert.DoesNotContain(_root, done.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_job_has_its_running_query_interrupted_and_no_result()
    {
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, MasterDatasetTestFiles.Orders(60));
        // Minutes of work for DuckDB: a cross join of 10^10 rows.
        var job = _store.Add("SELECT sum(a.i * b.j) FROM range(100000) a(i), range(100000) b(j)", AdHocJobFormat.Parquet);

        var run = Runner().RunAsync(job.Id.ToString("D"), CancellationToken.None);
        var deadline = Stopwatch.StartNew();
        while (_store[job.Id].State != AdHocJobState.Running || _store.ProgressReports.Count == 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the job did not start");
            Assert.False(run.IsCompleted, $"the job ended early: {_store[job.Id]}");
            await Task.Delay(20);
        }

        var cancelledAt = Stopwatch.StartNew();
        _store.Cancel(job.Id);
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(cancelledAt.Elapsed < TimeSpan.FromSeconds(10), $"the query went on {cancelledAt.Elapsed} after the cancel");
        var done = _store[job.Id];
        Assert.Equal(AdHocJobState.Cancelled, done.State);
        Assert.Null(done.ResultPath);
        Assert.False(File.Exists(Path.Combine(_root, "jobs", job.Id.ToString("D"), "result.parquet")));
    }

    [Theory]
    [InlineData(AdHocJobState.Cancelled)]
    [InlineData(AdHocJobState.Succeeded)]
    [InlineData(AdHocJobState.Failed)]
    public async Task A_job_that_is_no_longer_queued_is_not_run(AdHocJobState state)
    {
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, MasterDatasetTestFiles.Orders(60));
        var job = _store.Add("SELECT count(*) FROM master_orders", AdHocJobFormat.Csv, state);

        await Runner().RunAsync(job.Id.ToString("D"), CancellationToken.None);

        Assert.Equal(state, _store[job.Id].State);
        Assert.Equal(0, _store[job.Id].Attempts);
        Assert.False(Directory.Exists(Path.Combine(_root, "jobs")));
    }

    [Fact]
    public async Task A_worker_stopping_mid_job_leaves_it_running_for_hangfire_to_run_again()
    {
        await MasterDatasetTestFiles.WriteOrdersAsync(_root, MasterDatasetTestFiles.Orders(60));
        var job = _store.Add("SELECT sum(a.i * b.j) FROM range(100000) a(i), range(100000) b(j)", AdHocJobFormat.Parquet);
        using var shutdown = new CancellationTokenSource();

        var run = Runner().RunAsync(job.Id.ToString("D"), shutdown.Token);
        while (_store[job.Id].State != AdHocJobState.Running)
        {
            await Task.Delay(20);
        }

        await shutdown.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(AdHocJobState.Running, _store[job.Id].State);

        // Hangfire runs it again after the restart: the job starts over (a second attempt), and a cancel still reaches it.
        var again = Runner().RunAsync(job.Id.ToString("D"), CancellationToken.None);
        var deadline = Stopwatch.StartNew();
        while (_store[job.Id].Attempts < 2)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the job did not start again");
            await Task.Delay(20);
        }

        _store.Cancel(job.Id);
        await again.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(AdHocJobState.Cancelled, _store[job.Id].State);
    }

    private AdHocJobRunner Runner() => new(
        new AdHocSqlEngine(
            Options.Create(new BatchLayerOptions { DatasetRoot = _root }),
            new FixedBatchViewFiles(new Dictionary<string, IReadOnlyList<string>>()),
            NullLogger<AdHocSqlEngine>.Instance),
        _store,
        Options.Create(new BatchLayerOptions { DatasetRoot = _root }),
        Options.Create(new AdHocJobOptions { PollInterval = TimeSpan.FromMilliseconds(50) }),
        TimeProvider.System,
        NullLogger<AdHocJobRunner>.Instance);

    private static List<(string, long, decimal)> ReadBack(string path, AdHocJobFormat format)
    {
        using var check = new DuckDBConnection("Data Source=:memory:");
        check.Open();
        using var command = check.CreateCommand();
        var read = format == AdHocJobFormat.Csv
            ? $"read_csv({AdHocSession.QuoteString(path)}, header = true, columns = {{'country': 'VARCHAR', 'n': 'BIGINT', 'total': 'DECIMAL(18,2)'}})"
            : $"read_parquet({AdHocSession.QuoteString(path)})";
        command.CommandText = $"SELECT country, n, total FROM {read} ORDER BY country";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long, decimal)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetDecimal(2)));
        }

        return rows;
    }
}
