using Lambda.DemoGenerator.Generators;
using Lambda.Shared.Lookups;
using Lambda.Testing;
using Xunit;

namespace Lambda.DemoGenerator.Tests;

public sealed class DemoReferenceDataTests
{
    [Fact]
    public void The_reference_data_fits_the_default_catalog_and_covers_every_demo_country_and_currency()
    {
        Assert.True(TestCatalogs.Default.TryGetLookup("countries", out var countries));
        Assert.True(TestCatalogs.Default.TryGetLookup("fx_rates", out var fx));
        var countryRows = LookupRowsReader.FromCsv(countries, DemoReferenceData.CountriesCsv());
        var data = new DemoReferenceData(new Random(7));
        var fxRows = LookupRowsReader.FromCsv(fx, data.FxRatesCsv());
        Assert.Equal(15, countryRows.Count);
        Assert.Equal(["EUR", "GBP", "USD"], fxRows.Select(r => r.Keys[0].AsString()).Order());
    }

    [Fact]
    public void Changing_a_rate_adds_a_row_valid_from_that_day_and_keeps_the_older_ones()
    {
        Assert.True(TestCatalogs.Default.TryGetLookup("fx_rates", out var fx));
        var data = new DemoReferenceData(new Random(7));
        var currency = data.ChangeOneRate(new DateOnly(2026, 12, 6));
        var rows = LookupRowsReader.FromCsv(fx, data.FxRatesCsv());
        Assert.NotEqual("EUR", currency);
        Assert.Equal(4, rows.Count);
        Assert.Contains(rows, r => r.Keys[0].AsString() == currency && r.ValidFromMilliseconds == new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());
    }
}
