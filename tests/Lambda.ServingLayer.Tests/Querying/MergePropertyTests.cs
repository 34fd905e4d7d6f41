using FsCheck.Xunit;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Time;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.ServingLayer.Tests.Querying;

/// <summary>
/// Whatever the events, their partitions, the speed flush boundaries and the watermark chosen among them, and
/// whatever the event times (late ones included), batch ⊕ speed equals aggregating every event exactly once.
/// </summary>
public sealed class MergePropertyTests
{
    private static readonly string[] Countries = ["US", "DE", "FR", "JP"];

    [Property(MaxTest = 150)]
    public void Batch_plus_speed_equals_the_aggregate_of_all_events(
        (byte Partition, byte Country, byte User, ushort Cents, bool Paid, byte Minute)[] specs,
        byte[] cuts,
        byte[] watermarkPicks,
        bool hourly)
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered(specs
            .Select(s => (s.Partition % 3, Orders.Create(s.Minute % 120, Countries[s.Country % Countries.Length], s.Cents / 100m, $"u{s.User % 12}", s.Paid ? "paid" : "failed")))
            .ToArray());

        // Flush boundaries per partition from the cuts; the watermark of each partition is one of them.
        var boundaries = events.GroupBy(e => e.Partition).ToDictionary(
            g => g.Key,
            g =>
            {
                var end = g.Max(e => e.Offset) + 1;
                return cuts.Select(c => (long)(c % (end + 1))).Append(0).Append(end).Distinct().Order().ToArray();
            });
        var speed = new FakeSpeedViewStore();
        speed.FlushAll(view, events, p => boundaries[p]);
        var watermark = boundaries.ToDictionary(
            b => b.Key,
            b => b.Value[(watermarkPicks.Length == 0 ? 0 : watermarkPicks[b.Key % watermarkPicks.Length]) % b.Value.Length]);
        var batch = new FakeBatchViewStore();
        batch.Publish(view, "run", watermark, events);
        var granularity = hourly ? Granularity.Hour : Granularity.Minute;
        var query = Queries.Parse(TestCatalogs.Default, view.Name, $"from=2026-11-25T10:00:00Z&to=2026-11-25T12:00:00Z&granularity={granularity.ToName()}");

        var result = new ViewQueryEngine(batch, speed, NullLogger<ViewQueryEngine>.Instance).ExecuteAsync(query, CancellationToken.None).GetAwaiter().GetResult();

        RowAssert.Equal(ViewQueryEngineTests.Aggregate(view, events, granularity), result.Rows);
    }
}
