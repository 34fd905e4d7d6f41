using System.Text;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Tests.Events;

namespace Lambda.Shared.Tests.Aggregation;

/// <summary>A view over optional fields: a null dimension value is its own group, measures skip nulls, count counts events.</summary>
public sealed class OptionalFieldAggregationTests
{
    private static readonly ViewDefinition View = OptionalOrders.ByChannel;

    [Fact]
    public void Null_channel_is_a_group_and_null_fees_are_skipped()
    {
        var aggregator = new ViewAggregator(View);
        var parser = new EventParser(View.Source);
        string[] events =
        [
            """{"ts":"2026-12-06T10:00:00Z","order_id":"a","channel":"web","fee":5,"tries":2}""",
            """{"ts":"2026-12-06T10:01:00Z","order_id":"b","channel":"web"}""",
            """{"ts":"2026-12-06T10:02:00Z","order_id":"c","fee":7}""",
            """{"ts":"2026-12-06T10:03:00Z","order_id":"d","channel":null,"fee":null}""",
            """{"ts":"2026-12-06T10:04:00Z","order_id":"e","channel":"app"}""",
        ];
        foreach (var json in events)
        {
            Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(json), out var record, out var rejection), rejection.Message);
            Assert.True(aggregator.Add(record));
        }

        var groups = aggregator.GetGroups().ToDictionary(g => g.GetDimension("channel").ToCanonicalString());

        Assert.Equal(["app", "null", "web"], groups.Keys.Order(StringComparer.Ordinal));
        Assert.True(groups["null"].GetDimension("channel").IsNull);
        Assert.Equal(2L, groups["null"].GetValue("n").AsLong());
        Assert.Equal(7m, groups["null"].GetValue("fees").AsDecimal());
        // The default (3) stands in for absent and null tries: c and d.
        Assert.Equal(6L, groups["null"].GetValue("tries").AsLong());
        Assert.Equal(2L, groups["web"].GetValue("n").AsLong());
        Assert.Equal(5m, groups["web"].GetValue("fees").AsDecimal());
        Assert.Equal(5m, groups["web"].GetValue("fee_max").AsDecimal());
        Assert.Equal(5L, groups["web"].GetValue("tries").AsLong());
        Assert.Equal(1L, groups["app"].GetValue("n").AsLong());
        Assert.True(groups["app"].GetValue("fee_max").IsNull);
    }
}
