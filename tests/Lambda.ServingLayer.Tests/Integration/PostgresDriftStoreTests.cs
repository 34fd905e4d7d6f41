extern alias batchlayer;

using batchlayer::Lambda.BatchLayer.Drift;
using batchlayer::Lambda.BatchLayer.Status;
using Lambda.ServingLayer.Drift;
using Lambda.Shared.Drift;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>
/// The drift tables in PostgreSQL, in a schema of their own (<c>Drift:Schema</c>): what the batch layer's writer stores,
/// the serving layer's reader returns, filtered by view and bucket; the alert's "newest completed audit per view".
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class PostgresDriftStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Bucket = new(2026, 11, 25, 10, 7, 0, TimeSpan.Zero);
    private readonly string _schema = $"it_drift_{Guid.NewGuid():N}";
    private readonly string _connectionString = StackEndpoints.Load().PostgresConnectionString;
    private BatchDatabase _database = null!;
    private NpgsqlDataSource _dataSource = null!;
    private PostgresDriftAuditStore _writer = null!;
    private PostgresDriftReportStore _reader = null!;

    public Task InitializeAsync()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new DriftOptions { Schema = _schema });
        _database = new BatchDatabase(_connectionString);
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        _writer = new PostgresDriftAuditStore(_database, options);
        _reader = new PostgresDriftReportStore(_dataSource, options, NullLogger<PostgresDriftReportStore>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await using (var drop = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Before_the_first_audit_there_are_none()
    {
        Assert.Empty(await _reader.GetAuditsAsync(null, 10, CancellationToken.None));
        Assert.Empty(await _reader.GetDifferencesAsync(null, null, null, 10, CancellationToken.None));
        Assert.Empty(await _reader.GetLatestCompletedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_audit_and_its_differences_round_trip_and_filter_by_view_and_bucket()
    {
        var clean = Audit("run-1", "revenue_by_country", DriftOutcomes.Clean, T0, []);
        var drift = Audit("run-2", "revenue_by_country", DriftOutcomes.Drift, T0.AddHours(1),
        [
            new DriftDifference(Bucket, [new("country", "C'IV")], "orders", "0", "2"),
            new DriftDifference(Bucket, [new("country", "C'IV")], "revenue", "0.00", "592.83"),
            new DriftDifference(Bucket.AddMinutes(5), [new("country", null)], "orders", "1", "3"),
        ]);
        var failed = Audit("run-3", "revenue_by_country", DriftOutcomes.Failed, T0.AddHours(2), [], error: "the audit failed (IOException)");
        var other = Audit("run-2", "orders_by_status", DriftOutcomes.Clean, T0.AddHours(1), []);
        await Task.WhenAll(new[] { clean, drift, failed, other }.Select(a => _writer.SaveAsync(a, CancellationToken.None)));

        var audits = await _reader.GetAuditsAsync("revenue_by_country", 10, CancellationToken.None);
        Assert.Equal(["run-3", "run-2", "run-1"], audits.Select(a => a.RunId));
        var stored = audits[1];
        Assert.Equal((drift.Id, "drift", 3, 7, 8, (string?)null), (stored.Id, stored.Outcome, stored.Differences, stored.SpeedGroups, stored.BatchGroups, stored.ReferenceVersion));
        Assert.Equal(2000, stored.Ranges.GetProperty("1").GetProperty("to").GetInt64());
        Assert.Equal(T0.AddHours(1).UtcDateTime, stored.AuditedAt);
        Assert.Equal("the audit failed (IOException)", audits[0].Error);
        Assert.Equal(2, (await _reader.GetAuditsAsync(null, 2, CancellationToken.None)).Count);

        var inBucket = await _reader.GetDifferencesAsync("revenue_by_country", Bucket, Bucket.AddMinutes(1), 10, CancellationToken.None);
        Assert.Equal(["orders", "revenue"], inBucket.Select(d => d.Measure));
        Assert.All(inBucket, d => Assert.Equal(("run-2", "revenue_by_country", Bucket.UtcDateTime, "C'IV"), (d.RunId, d.View, d.Bucket, d.Group.GetProperty("country").GetString())));
        Assert.Equal(("0.00", "592.83"), (inBucket[1].SpeedValue.GetRawText(), inBucket[1].BatchValue.GetRawText()));
        var all = await _reader.GetDifferencesAsync(null, null, null, 10, CancellationToken.None);
        Assert.Equal(3, all.Count);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, all[2].Group.GetProperty("country").ValueKind);
        Assert.Empty(await _reader.GetDifferencesAsync("orders_by_status", null, null, 10, CancellationToken.None));
        Assert.Single(await _reader.GetDifferencesAsync(null, Bucket.AddMinutes(1), null, 10, CancellationToken.None));

        // The alert's view: per view the newest audit that did not fail.
        var latest = (await _reader.GetLatestCompletedAsync(CancellationToken.None)).ToDictionary(a => a.View);
        Assert.Equal(("run-2", 3), (latest["revenue_by_country"].RunId, latest["revenue_by_country"].Differences));
        Assert.Equal("run-2", latest["orders_by_status"].RunId);
    }

    private static DriftViewAudit Audit(string run, string view, string outcome, DateTimeOffset at, IReadOnlyList<DriftDifference> differences, string? error = null) => new(
        Guid.CreateVersion7(at), run, view, "hash", new Dictionary<int, SpeedOffsetRange> { [0] = new(0, 1000), [1] = new(1000, 2000) }, outcome,
        differences.Count, 7, 8, null, error, at, differences);
}
