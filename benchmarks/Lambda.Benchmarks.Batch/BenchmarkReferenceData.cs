namespace Lambda.Benchmarks.Batch;

/// <summary>
/// The reference data of the lookup benchmark, as CSV (what <c>PUT /api/admin/lookups/{name}</c> and the <c>lookup</c>
/// command take): <c>countries</c> for <see cref="DatasetGenerator"/>'s countries except AU (its orders have a null
/// region), and <c>fx_rates</c> changing rates on the dataset's days (versioned by day: USD and GBP move on day 2 and 3,
/// CHF has a rate only from day 2, JPY none).
/// </summary>
internal static class BenchmarkReferenceData
{
    public static readonly string[] PaymentCurrencies = ["EUR", "EUR", "USD", "USD", "GBP", "CHF", "JPY"];

    public const string CountriesCsv = """
        country,region,currency
        US,north_america,USD
        CA,north_america,CAD
        BR,south_america,BRL
        DE,europe,EUR
        FR,europe,EUR
        NL,europe,EUR
        ES,europe,EUR
        IT,europe,EUR
        GB,europe,GBP
        IN,asia,INR
        JP,asia,JPY

        """;

    public const string FxRatesCsv = """
        currency,valid_from,rate_to_eur
        EUR,2026-01-01,1.0000
        USD,2026-11-01,0.9200
        USD,2026-11-24,0.9184
        USD,2026-11-25,0.9237
        GBP,2026-01-01,1.1700
        GBP,2026-11-25,1.1652
        CHF,2026-11-24,1.0710

        """;
}
