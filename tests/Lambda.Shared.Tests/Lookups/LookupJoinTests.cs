using System.Text;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Lookups;
using Xunit;

namespace Lambda.Shared.Tests.Lookups;

public sealed class LookupJoinTests
{
    private const string Yaml = """
        lookups:
          fx:
            key: { currency: string }
            valid_from: day
            values: { rate: "decimal(18,4)" }
            on_missing: drop
          regions:
            key: { country: string }
            values: { region: string }
            on_missing: null
        sources:
          pay:
            topic: pay
            time: ts
            fields: { currency: string, country: string, amount: "decimal(18,2)" }
            enrich:
              - { lookup: fx, key: [currency] }
              - { lookup: regions, key: [country] }
            derive:
              eur: amount * rate
        views:
          by_region:
            source: pay
            granularity: day
            dimensions: [region]
            measures: { n: count }
          eur:
            source: pay
            granularity: day
            measures: { n: count, eur: sum(eur) }
          plain:
            source: pay
            granularity: day
            measures: { n: count }
        """;

    private static readonly Lambda.Shared.Catalog.Catalog Catalog = CatalogLoader.Parse(Yaml);

    private static LookupTable Fx(long version, string csv) =>
        new(Catalog.Lookups[0], version, DateTimeOffset.UnixEpoch, LookupRowsReader.FromCsv(Catalog.Lookups[0], csv));

    private static LookupTable Regions(string csv) =>
        new(Catalog.Lookups[1], 1, DateTimeOffset.UnixEpoch, LookupRowsReader.FromCsv(Catalog.Lookups[1], csv));

    private static EventRecord Event(LookupSnapshot lookups, string ts, string currency, string country, string amount)
    {
        var source = Catalog.GetSource("pay");
        var parser = new EventParser(source);
        var record = parser.CreateRecord();
        record.Lookups = lookups;
        Assert.True(parser.TryParse(Encoding.UTF8.GetBytes($$"""{"ts":"{{ts}}","currency":"{{currency}}","country":"{{country}}","amount":{{amount}}}"""), record, out var rejection), rejection.Message);
        return record;
    }

    [Fact]
    public void An_event_joins_the_row_valid_at_its_event_time()
    {
        var snapshot = new LookupSnapshot([Fx(1, "currency,valid_from,rate\nUSD,2026-01-01,0.9000\nUSD,2026-01-10,0.8000\n")]);
        var eur = Catalog.GetSource("pay").GetField("eur").Ordinal;
        var before = Event(snapshot, "2026-01-09T23:59:59.999Z", "USD", "US", "10.00");
        before.ComputeDerived();
        Assert.Equal(9.000000m, before.GetDecimal(eur));
        var after = Event(snapshot, "2026-01-10T00:00:00Z", "USD", "US", "10.00");
        after.ComputeDerived();
        Assert.Equal(8.000000m, after.GetDecimal(eur));
        var tooEarly = Event(snapshot, "2025-12-31T23:00:00Z", "USD", "US", "10.00");
        tooEarly.ComputeDerived();
        Assert.False(tooEarly.IsSet(eur));
        Assert.Equal(1L, tooEarly.MissedLookups & 1);
    }

    [Fact]
    public void On_missing_null_makes_a_null_group_and_drop_skips_the_event_only_in_views_using_the_lookup()
    {
        var snapshot = new LookupSnapshot([Fx(1, "currency,valid_from,rate\nUSD,2026-01-01,0.9000\n"), Regions("country,region\nUS,NA\n")]);
        var byRegion = new ViewAggregator(Catalog.GetView("by_region"));
        var eur = new ViewAggregator(Catalog.GetView("eur"));
        var plain = new ViewAggregator(Catalog.GetView("plain"));
        foreach (var e in new[]
                 {
                     Event(snapshot, "2026-01-02T00:00:00Z", "USD", "US", "10.00"),
                     Event(snapshot, "2026-01-02T00:00:00Z", "JPY", "JP", "10.00"),
                 })
        {
            byRegion.Add(e);
            eur.Add(e);
            plain.Add(e);
        }

        Assert.Equal(2, byRegion.GroupCount);
        Assert.Equal(2, byRegion.EventsMatched);
        Assert.Equal(1, eur.EventsMatched);
        Assert.Equal(2, plain.EventsMatched);
    }

    [Fact]
    public void Without_a_published_version_every_key_misses()
    {
        var e = Event(LookupSnapshot.Empty, "2026-01-02T00:00:00Z", "USD", "US", "10.00");
        e.ComputeDerived();
        Assert.Equal(3L, e.MissedLookups);
    }

    [Fact]
    public void Changes_start_at_the_earliest_time_two_versions_join_differently()
    {
        var v1 = Fx(1, "currency,valid_from,rate\nUSD,2026-01-01,0.9000\nEUR,2026-01-01,1\n");
        var v2 = Fx(2, "currency,valid_from,rate\nUSD,2026-01-01,0.9000\nUSD,2026-01-05,0.8500\nEUR,2026-01-01,1\n");
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), LookupChanges.EarliestDifference(v1, v2));
        Assert.Null(LookupChanges.EarliestDifference(v1, Fx(3, "currency,valid_from,rate\nEUR,2026-01-01,1.0000\nUSD,2026-01-01,0.9\n")));
        Assert.Equal(long.MinValue, LookupChanges.EarliestDifference(Regions("country,region\nUS,NA\n"), Regions("country,region\nUS,AM\n")));
    }
}
