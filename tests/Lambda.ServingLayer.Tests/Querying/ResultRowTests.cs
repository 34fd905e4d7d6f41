using Lambda.ServingLayer.Querying;
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
}
