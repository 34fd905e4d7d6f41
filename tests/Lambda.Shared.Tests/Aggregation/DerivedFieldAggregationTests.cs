using System.Text;
using System.Text.Json;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Testing;
using Lambda.Testing.Oracles;

namespace Lambda.Shared.Tests.Aggregation;

/// <summary>
/// A view over a derived dimension computed the speed layer's way (JSON parsed into a record per event, one aggregator)
/// and the batch layer's way (records filled column by column with only the declared fields the view reads, as the
/// master-dataset reader does, split over workers whose aggregators are merged) gives byte-identical states, and both
/// match an oracle that computes the band with plain decimal arithmetic on the raw JSON.
/// </summary>
public sealed class DerivedFieldAggregationTests
{
    private static readonly ViewDefinition ByBand = TestCatalogs.Default.GetView("orders_by_amount_band");

    private static List<string> Orders()
    {
        var random = new Random(20261206);
        var orders = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            // Amounts from 0.00 to 399.99 with band edges (49.99, 50.00) hit on purpose.
            var cents = i % 10 == 0 ? 4999 + (i % 20 == 0 ? 1 : 0) : random.Next(0, 40_000);
            orders.Add(TestEvents.Order(i, random.Next(50), random.Next(6), random.Next(5), cents, random.Next(0, 3 * 3_600_000), i % 2 == 0));
        }

        return orders;
    }

    [Fact]
    public void Speed_style_and_batch_style_aggregation_give_identical_states_and_match_the_oracle()
    {
        var orders = Orders();

        var speed = new ViewAggregator(ByBand);
        var parser = new EventParser(ByBand.Source);
        var record = parser.CreateRecord();
        foreach (var json in orders)
        {
            Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(json), record, out var rejection), rejection.Message);
            Assert.True(speed.Add(record));
        }

        // Only the declared inputs are read back from the master dataset: amount (for both the band and the sum).
        Assert.Equal(["amount"], ByBand.RawInputFields.Select(f => f.Name));
        var workers = new[] { new ViewAggregator(ByBand), new ViewAggregator(ByBand) };
        var amount = ByBand.Source.GetField("amount").Ordinal;
        var row = new EventRecord(ByBand.Source);
        for (var i = orders.Count - 1; i >= 0; i--)
        {
            using var document = JsonDocument.Parse(orders[i]);
            row.Reset();
            var ts = document.RootElement.GetProperty("ts");
            row.SetTimestamp(ts.ValueKind == JsonValueKind.Number ? ts.GetInt64() : DateTimeOffset.Parse(ts.GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
            row.SetDecimal(amount, document.RootElement.GetProperty("amount").GetDecimal());
            workers[i % 2].Add(row);
        }

        var batch = workers[0];
        batch.Merge(workers[1]);
        Assert.Null(ViewAggregator.FindDifference(speed, batch));

        var oracle = new JsonViewOracle(ByBand, DefaultCatalogFilters.Where(ByBand.Name));
        foreach (var json in orders)
        {
            oracle.Add(Encoding.UTF8.GetBytes(json));
        }

        var difference = oracle.FindDifference(speed.GetGroups().Select(g => (
            g.BucketStartMilliseconds,
            (IReadOnlyList<string>)g.Dimensions.Select(d => d.ToCanonicalString()).ToArray(),
            (IReadOnlyList<OracleActual>)ByBand.Measures.Select(m => OracleActual.FromMeasureValue(g.GetValue(m.Index))).ToArray())));
        Assert.True(difference is null, difference);
        Assert.Contains(speed.GetGroups(), g => g.GetDimension("amount_band").AsDecimal() == 50.00m);
        Assert.Contains(speed.GetGroups(), g => g.GetDimension("amount_band").AsDecimal() == 0.00m);
    }

    [Fact]
    public void A_null_measure_argument_is_skipped_and_count_counts_every_event()
    {
        var catalog = CatalogLoader.Parse("""
            sources:
              orders:
                topic: orders
                time: ts
                fields: { amount: "decimal(18,2)", quantity: long }
                derive:
                  unit_price: amount / quantity
                  big: unit_price > 10
            views:
              prices:
                source: orders
                where: big = true
                granularity: hour
                measures: { orders: count, avg_price: avg(unit_price), max_price: max(unit_price) }
              all_prices:
                source: orders
                granularity: hour
                measures: { orders: count, avg_price: avg(unit_price), total: sum(unit_price) }
            """);
        var all = new ViewAggregator(catalog.GetView("all_prices"));
        var big = new ViewAggregator(catalog.GetView("prices"));
        var record = new EventRecord(catalog.GetSource("orders"));
        foreach (var (amount, quantity) in new[] { (30.00m, 2L), (5.00m, 0L), (9.00m, 3L), (50.00m, 0L) })
        {
            record.Reset();
            record.SetTimestamp(TestEvents.Start);
            record.SetDecimal(0, amount);
            record.SetLong(1, quantity);
            all.Add(record);
            big.Add(record);
        }

        // Unit prices 15.000000, null, 3.000000, null: 4 events, 2 prices, average 9, sum 18.
        var group = Assert.Single(all.GetGroups());
        Assert.Equal(4L, group.GetValue("orders").AsLong());
        Assert.Equal(9m, group.GetValue("avg_price").AsDecimal());
        Assert.Equal(18m, group.GetValue("total").AsDecimal());

        // where: big = true lets only the 15.00 order through; a null 'big' is not true.
        var matched = Assert.Single(big.GetGroups());
        Assert.Equal(1L, matched.GetValue("orders").AsLong());
        Assert.Equal(15m, matched.GetValue("max_price").AsDecimal());
        Assert.Equal(1, big.EventsMatched);
    }

    [Fact]
    public void A_null_derived_dimension_is_its_own_group_in_every_way_the_groups_are_built()
    {
        var view = TypeCatalogs.AllTypes.GetView("by_derived");
        var direct = new ViewAggregator(view);
        var halves = new[] { new ViewAggregator(view), new ViewAggregator(view) };
        var record = new EventRecord(view.Source);
        var i = 0;
        foreach (var l in new long[] { 0, 4, -1, 0, 4, 0 })
        {
            record.Reset();
            record.SetTimestamp(TestEvents.Start);
            record.SetString(0, "x");
            record.SetLong(1, l);
            record.SetDouble(2, 2);
            record.SetDecimal(3, 3.000m);
            record.SetBool(4, false);
            record.SetTimestamp(5, TestEvents.Start);
            direct.Add(record);
            halves[i++ % 2].Add(record);
        }

        halves[0].Merge(halves[1]);
        Assert.Null(ViewAggregator.FindDifference(direct, halves[0]));

        // Read back as typed values (as from storage): the null group stays one group.
        var reread = new ViewAggregator(view);
        foreach (var group in direct.GetGroups())
        {
            reread.MergeGroup(group.BucketStartMilliseconds, group.Dimensions.ToArray(), group.States);
        }

        Assert.Null(ViewAggregator.FindDifference(direct, reread));

        // l = 0 three times: tag, share, ratio null; 4 twice: 'X', bucket(0.75, 0.5) = 0.5, 0.5; -1 once: 'x', -3.0, -2.
        var groups = direct.GetSortedGroups();
        Assert.Equal(3, groups.Count);
        var nulls = groups[0];
        Assert.True(nulls.GetDimension("tag").IsNull && nulls.GetDimension("share").IsNull && nulls.GetDimension("ratio").IsNull);
        Assert.Equal("null", nulls.GetDimension("share").ToCanonicalString());
        Assert.Equal(3, nulls.GetValue("n").AsLong());
        Assert.True(nulls.GetValue("max_share").IsNull);
        Assert.Equal(9.000m, nulls.GetValue("total").AsDecimal());
        var four = Assert.Single(groups, g => !g.GetDimension("tag").IsNull && g.GetDimension("tag").AsString() == "X");
        Assert.Equal("0.500000", four.GetDimension("share").ToCanonicalString());
        Assert.Equal(0.5, four.GetDimension("ratio").AsDouble());
        var minusOne = Assert.Single(groups, g => !g.GetDimension("tag").IsNull && g.GetDimension("tag").AsString() == "x");
        Assert.Equal("-3.000000", minusOne.GetDimension("share").ToCanonicalString());
        Assert.Equal(-2.0, minusOne.GetValue("sum_ratio").AsDouble());
    }
}
