extern alias speedlayer;

using Lambda.ServingLayer.Pipeline;
using Lambda.ServingLayer.Tests.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using speedlayer::Lambda.SpeedLayer.Storage;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>The health sampler's progress reader on the real server: right positions and newest flush, read from the positions it found last time.</summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
[Trait("Engine", "ClickHouse")]
public sealed class ClickHouseSpeedProgressReaderTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private readonly ClickHouseClient _client;

    public ClickHouseSpeedProgressReaderTests()
    {
        _client = new ClickHouseClient(_http, new ClickHouseOptions { Url = StackEndpoints.Load().ClickHouseUrl, Database = $"it_progress_{Guid.NewGuid():N}" });
    }

    public Task InitializeAsync() => _client.EnsureDatabaseAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _client.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(_client.Database)}", CancellationToken.None);
        _http.Dispose();
    }

    [Fact]
    public async Task A_second_sample_reads_from_the_first_samples_positions_and_still_finds_new_partitions_and_the_newest_flush()
    {
        var view = TestCatalogs.RevenueByCountry;
        var writer = new SpeedTableWriter(new ClickHouseSpeedTableWriter(_client, NullLogger<ClickHouseSpeedTableWriter>.Instance), view);
        await writer.CreateAsync();
        var events = ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "DE", 2.00m)), (1, Orders.Create(2, "FR", 4.00m)));
        await writer.FlushAsync(0, 0, 1, events.Where(e => e.Partition == 0));
        var recording = new RecordingClickHouseClient(_client);
        var reader = new ClickHouseSpeedProgressReader(recording, Options.Create(new PipelineHealthOptions()));

        var first = await reader.ReadAsync(view, CancellationToken.None);
        await writer.FlushAsync(1, 0, 0, events.Where(e => e.Partition == 1));
        var second = await reader.ReadAsync(view, CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, first.MaxPositions);
        Assert.Equal(new Dictionary<int, long> { [0] = 1, [1] = 0 }, second.MaxPositions);
        Assert.NotNull(second.NewestFlush);
        Assert.InRange(second.NewestFlush.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        var bounded = recording.Statements.Skip(3).Where(sql => !sql.Contains(SpeedFences.TableName, StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, bounded.Length);
        Assert.All(bounded, sql => Assert.Contains("(`partition` = 0 AND `last_offset` >= 1) OR `partition` > 0", sql, StringComparison.Ordinal));
    }
}
