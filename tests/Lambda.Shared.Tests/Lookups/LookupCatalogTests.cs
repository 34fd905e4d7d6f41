using Lambda.Shared.Catalog;
using Xunit;

namespace Lambda.Shared.Tests.Lookups;

public sealed class LookupCatalogTests
{
    private static string Catalog(string lookup, string enrich, string derive = "") => $$"""
        lookups:
          fx:
        {{lookup}}
        sources:
          pay:
            topic: pay
            time: ts
            fields: { currency: string, amount: long }
            enrich:
        {{enrich}}
        {{derive}}
        views:
          v:
            source: pay
            granularity: hour
            measures: { n: count }
        """;

    private const string GoodLookup = """
            key: { currency: string }
            values: { rate: double }
        """;

    [Theory]
    [InlineData("    key: { currency: string }\n    values: { rate: double }\n    on_missing: ignore", "      - { lookup: fx, key: [currency] }", "lookups.fx.on_missing: 'ignore' is not a policy; expected null, drop or dead_letter")]
    [InlineData("    key: { currency: string }\n    values: { rate: double }\n    valid_from: week", "      - { lookup: fx, key: [currency] }", "lookups.fx.valid_from: 'week' is not a versioning")]
    [InlineData("    values: { rate: double }", "      - { lookup: fx, key: [currency] }", "lookups.fx.key: is required")]
    [InlineData("    key: { currency: string }\n    values: { rate: double }", "      - { lookup: fy, key: [currency] }", "sources.pay.enrich[0].lookup: lookup 'fy' is not in the catalog's lookups")]
    [InlineData("    key: { currency: string }\n    values: { rate: double }", "      - { lookup: fx, key: [amount] }", "sources.pay.enrich[0].key[0]: 'amount' is long; key column 'currency' of lookup 'fx' is string")]
    [InlineData("    key: { currency: string }\n    values: { rate: double }", "      - { lookup: fx, key: [currency, amount] }", "sources.pay.enrich[0].key: lookup 'fx' has 1 key column(s)")]
    [InlineData("    key: { currency: string }\n    values: { rate: double }", "      - { lookup: fx, key: [curency] }", "sources.pay.enrich[0].key[0]: at position 1: field 'curency' is not in source 'pay'")]
    [InlineData("    key: { currency: string }\n    values: { amount: double }", "      - { lookup: fx, key: [currency] }", "sources.pay.enrich[0].fields: 'amount' of lookup 'fx' is already a field of source 'pay'")]
    [InlineData("    key: { currency: string }\n    values: { rate: double }", "      - { lookup: fx, key: [currency], fields: [rat] }", "sources.pay.enrich[0].fields[0]: 'rat' is not a value column of lookup 'fx'")]
    public void Each_bad_lookup_or_enrichment_is_reported_with_its_path_and_line(string lookup, string enrich, string expected)
    {
        var ok = CatalogLoader.TryParse(Catalog(lookup, enrich), out _, out var errors);
        Assert.False(ok);
        var error = Assert.Single(errors, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void Enriched_fields_are_usable_in_derive_and_carry_their_lookup()
    {
        var catalog = CatalogLoader.Parse(Catalog(GoodLookup, "      - { lookup: fx, key: [lower(currency)] }", "    derive:\n      scaled: amount * rate"));
        var source = catalog.GetSource("pay");
        Assert.Equal(["fx"], source.GetField("scaled").Lookups);
        Assert.Equal("lookup(fx, lower(currency)).rate", source.GetField("rate").Expression);
        Assert.Equal(["currency"], source.RawInputsOf([source.GetField("scaled")]).Where(f => f.Name != "amount").Select(f => f.Name));
    }

    [Fact]
    public void The_default_catalog_declares_countries_and_fx_rates_and_their_views()
    {
        var catalog = CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml"));
        Assert.True(catalog.TryGetLookup("countries", out var countries));
        Assert.Equal(Lambda.Shared.Lookups.LookupVersioning.None, countries.Versioning);
        Assert.True(catalog.TryGetLookup("fx_rates", out var fx));
        Assert.Equal(Lambda.Shared.Lookups.LookupVersioning.Day, fx.Versioning);
        Assert.Equal(["countries"], catalog.GetView("revenue_by_region").Enrichments.Select(e => e.Lookup.Name));
        Assert.Equal(["fx_rates"], catalog.GetView("payments_volume_eur").Enrichments.Select(e => e.Lookup.Name));
        Assert.Empty(catalog.GetView("revenue_by_country").Enrichments);
        Assert.Equal(Lambda.Shared.Measures.MeasureKind.Quantiles, catalog.GetView("payment_latency").GetMeasure("latency").Kind);
        Assert.True(catalog.GetSource("orders").GetField("amount_band").IsDerived);
    }
}
