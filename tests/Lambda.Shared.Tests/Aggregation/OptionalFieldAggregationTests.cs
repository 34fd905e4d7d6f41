using System.Text;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Tests.Aggregation;

/// <summary>A view over optional fields: a null dimension value is its own group, measures skip nulls, count counts events.</summary>
public sealed class OptionalFieldAggregationTests
{
    private static readonly ViewDefinition View = CatalogLoader.Parse("""
        sources:
          orders:
            topic: orders
            time: ts
            fields:
              order_id: string
              channel: string?
              fee: long?
              tries: long? = 1
        views:
          by_channel:
            source: orders
            granularity: hour
            dimensions: [channel]
            measures: { n: count, fees: sum(fee), fee_max: max(fee), tries: sum(tries) }
        """).GetView("by_channel");

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
        Assert.Equal(7L, groups["null"].GetValue("fees").AsLong());
        Assert.Equal(2L, groups["null"].GetValue("tries").AsLong());
        Assert.Equal(2L, groups["web"].GetValue("n").AsLong());
        Assert.Equal(5L, groups["web"].GetValue("fees").AsLong());
        Assert.Equal(5L, groups["web"].GetValue("fee_max").AsLong());
        Assert.Equal(3L, groups["web"].GetValue("tries").AsLong());
        Assert.Equal(1L, groups["app"].GetValue("n").AsLong());
        Assert.True(groups["app"].GetValue("fees").IsNull || groups["app"].GetValue("fees").AsLong() == 0);
        Assert.True(groups["app"].GetValue("fee_max").IsNull);
    }
}
