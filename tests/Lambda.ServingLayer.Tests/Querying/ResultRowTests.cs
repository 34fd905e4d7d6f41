using Lambda.ServingLayer.Querying;
using Microsoft.Extensions.Logging.Abstractions;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Querying;

public sealed class ResultRowTests
{
    [Theory]
    [InlineData(3, false)]
    [InlineData(2_000, true)]
    public void A_value_read_one_at_a_time_is_the_finalised_value_whether_or_not_a_state_is_costly_to_finalise(int buyers, bool costly)
    {
        var events = ViewQueryEngineTests.Numbered([.. Enumerable.Range(0, buyers).Select(i => (0, Orders.Create(0, "US", 1.25m, $"u{i}")))]);
        var group = Assert.Single(ViewQueryEngineTests.Aggregate(TestCatalogs.RevenueByCountry, events));
        var row = new ResultRow(group.BucketStartMilliseconds, group.Dimensions, group.States);

        var one = Enumerable.Range(0, row.States.Count).Select(row.ValueAt).ToArray();

        // Distinct buyers: a sparse sketch below 1,024 registers, a dense one above.
        Assert.Equal(costly, row.States.Any(s => s.IsCostlyToFinalise));
        Assert.Equal(row.States.Select(s => s.GetValue()), one);
        Assert.Equal(buyers, one[0].AsLong());
        Assert.Equal(one, row.Values);
    }

    [Fact]
    public async Task An_answer_makes_its_rows_when_read_and_keeps_only_those_whose_states_are_costly_to_finalise()
    {
        // US: 2,000 distinct buyers (a dense sketch, costly to finalise); DE: 3 (sparse, cheap).
        var speed = new FakeSpeedViewReader();
        speed.FlushAll(
            TestCatalogs.RevenueByCountry,
            ViewQueryEngineTests.Numbered([
                .. Enumerable.Range(0, 2_000).Select(i => (0, Orders.Create(0, "US", 1.25m, $"u{i}"))),
                .. Enumerable.Range(0, 3).Select(i => (0, Orders.Create(0, "DE", 1.25m, $"d{i}")))]),
            _ => []);
        var engine = new ViewQueryEngine(new FakeBatchViewStore(), speed, NullLogger<ViewQueryEngine>.Instance);
        var query = Queries.Parse(TestCatalogs.Default, TestCatalogs.RevenueByCountry.Name, "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&granularity=hour&group_by=country");

        var rows = (await engine.ExecuteAsync(query, CancellationToken.None)).Rows;

        Assert.Equal(["DE", "US"], rows.Select(r => r.Dimensions[0].AsString()));
        // A cheap row is made anew on every read, so a large answer keeps no row objects alive for the GC to trace;
        // a costly one is kept, so its values are finalised once.
        Assert.NotSame(rows[0], rows[0]);
        Assert.Same(rows[1], rows[1]);
        Assert.Equal(rows[0].Values, rows[0].Values);
        Assert.InRange(rows[1].Values[3].AsLong(), 1_970, 2_030);
    }
}
