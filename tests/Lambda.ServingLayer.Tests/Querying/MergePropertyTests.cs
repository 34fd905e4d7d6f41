using FsCheck.Xunit;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Time;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

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
        var speed = new FakeSpeedViewReader();
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

    [Property(MaxTest = 100)]
    public void Answers_refreshed_flush_by_flush_equal_the_aggregate_of_the_events_stored_so_far(
        (byte Partition, byte Country, byte User, ushort Cents, byte Minute)[] specs,
        byte[] cuts,
        byte watermarkPick,
        byte[] roundPicks)
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered(specs
            .Select(s => (s.Partition % 3, Orders.Create(s.Minute % 120, Countries[s.Country % Countries.Length], s.Cents / 100m, $"u{s.User % 12}")))
            .ToArray());

        // Each partition's flushes in offset order; those below the watermark are in the batch view and stored
        // before the first answer, the others are stored over the rounds, a partition's always in order.
        var flushes = events.GroupBy(e => e.Partition).SelectMany(g =>
        {
            var end = g.Max(e => e.Offset) + 1;
            var bounds = cuts.Select(c => (long)(c % (end + 1))).Append(0).Append(end).Distinct().Order().ToArray();
            return bounds.Zip(bounds.Skip(1), (first, next) => (Partition: g.Key, First: first, Next: next, Index: Array.IndexOf(bounds, first)));
        }).ToArray();
        var watermark = flushes.GroupBy(f => f.Partition).ToDictionary(g => g.Key, g => g.Select(f => f.First).Order().ElementAt(watermarkPick % g.Count()));
        var speed = new FakeSpeedViewReader();
        var stored = new List<OffsetEvent>();
        void Store((int Partition, long First, long Next, int Index) flush)
        {
            var flushed = events.Where(e => e.Partition == flush.Partition && e.Offset >= flush.First && e.Offset < flush.Next).ToArray();
            speed.Flush(view, flush.Partition, flush.First, flush.Next - 1, flushed);
            stored.AddRange(flushed);
        }

        var (before, after) = (flushes.Where(f => f.First < watermark[f.Partition]).ToArray(), flushes.Where(f => f.First >= watermark[f.Partition]).ToArray());
        foreach (var flush in before)
        {
            Store(flush);
        }

        var batch = new FakeBatchViewStore();
        batch.Publish(view, "run", watermark, events);
        var time = new FakeTimeProvider();
        var sharing = new QueryResultSharing { Refresh = TimeSpan.FromMilliseconds(250), MaxAge = TimeSpan.FromSeconds(1), Rebase = TimeSpan.FromHours(1) };
        var engine = new ViewQueryEngine(batch, speed, NullLogger<ViewQueryEngine>.Instance, sharing, time);
        var query = Queries.Parse(TestCatalogs.Default, view.Name, "from=2026-11-25T10:00:00Z&to=2026-11-25T12:00:00Z&granularity=hour&group_by=country");
        ViewQueryResult Answer()
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return engine.ExecuteAsync(query, CancellationToken.None).GetAwaiter().GetResult();
        }

        // Rounds of flushes; the key grows with a flush's index in its partition, so a partition's flushes stay in order.
        var rounds = after.OrderBy(f => f.Index).GroupBy(f => (f.Index * 3) + (roundPicks.Length == 0 ? 0 : roundPicks[f.Index % roundPicks.Length] % 3)).OrderBy(g => g.Key);
        var answers = new List<(ViewQueryResult Answer, OffsetEvent[] Counted)> { (Answer(), [.. events.Where(e => e.Offset < watermark[e.Partition])]) };
        foreach (var round in rounds)
        {
            foreach (var flush in round.OrderBy(f => f.First))
            {
                Store(flush);
            }

            answers.Add((Answer(), [.. events.Where(e => e.Offset < watermark[e.Partition]), .. stored.Where(e => e.Offset >= watermark[e.Partition])]));
        }

        var fromScratch = new ViewQueryEngine(batch, speed, NullLogger<ViewQueryEngine>.Instance).ExecuteAsync(query, CancellationToken.None).GetAwaiter().GetResult();
        RowAssert.Equal(fromScratch.Rows, answers[^1].Answer.Rows);
        foreach (var (answer, counted) in answers)
        {
            RowAssert.Equal(ViewQueryEngineTests.Aggregate(view, counted, Granularity.Hour), answer.Rows);
        }
    }
}
