using Lambda.Testing.Oracles;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// The reference data the stack tests publish (<c>PUT /api/admin/lookups/{name}</c>) and join in their oracles
/// (<see cref="OracleLookup"/>), with the request bodies written from the same rows.
/// </summary>
internal static class ReferenceRows
{
    /// <summary>
    /// <c>countries</c> (not versioned): country → region, currency; <c>A,B</c> of <see cref="OrderStream.Countries"/> has
    /// no row, so its orders have a null region (<c>on_missing: null</c>).
    /// </summary>
    public static IReadOnlyList<OracleLookupRow> Countries { get; } =
    [
        Country("US", "north_america", "USD"),
        Country("DE", "europe", "EUR"),
        Country("FR", "europe", "EUR"),
        Country("GB", "europe", "GBP"),
        Country("JP", "asia", "JPY"),
        Country("BR", "south_america", "BRL"),
        Country("C'IV", "africa", "XOF"),
    ];

    /// <summary>
    /// <c>fx_rates</c> (versioned by day), version 1: USD changes on days 2 and 3 of <see cref="OrderStream.Start"/>, CHF
    /// has a rate only from day 2 (day 1's CHF payments have none), JPY never has one.
    /// </summary>
    public static IReadOnlyList<OracleLookupRow> FxRates { get; } =
    [
        Rate("EUR", "2026-01-01", "1.0000"),
        Rate("USD", "2026-02-01", "0.9100"),
        Rate("USD", "2026-03-02", "0.9234"),
        Rate("USD", "2026-03-03", "0.9050"),
        Rate("GBP", "2026-01-01", "1.1532"),
        Rate("CHF", "2026-03-02", "1.0712"),
    ];

    /// <summary>A <c>fx_rates</c> row.</summary>
    public static OracleLookupRow Rate(string currency, string validFrom, string rate) =>
        new(currency, DateOnly.ParseExact(validFrom, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), new Dictionary<string, string?> { ["rate_to_eur"] = rate });

    /// <summary>The CSV body of <c>fx_rates</c> rows (header <c>currency,valid_from,rate_to_eur</c>).</summary>
    public static string FxRatesCsv(IEnumerable<OracleLookupRow> rows) =>
        "currency,valid_from,rate_to_eur\n" + string.Concat(rows.Select(r =>
            $"{r.Key},{r.ValidFrom!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)},{r.Values["rate_to_eur"]}\n"));

    /// <summary>The JSON body of <c>countries</c> rows (an array of row objects).</summary>
    public static string CountriesJson(IEnumerable<OracleLookupRow> rows) =>
        System.Text.Json.JsonSerializer.Serialize(rows.Select(r => new Dictionary<string, string?>
        {
            ["country"] = r.Key,
            ["region"] = r.Values["region"],
            ["currency"] = r.Values["currency"],
        }));

    private static OracleLookupRow Country(string country, string region, string currency) =>
        new(country, null, new Dictionary<string, string?> { ["region"] = region, ["currency"] = currency });
}
