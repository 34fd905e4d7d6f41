using System.Globalization;
using System.Text;

namespace Lambda.DemoGenerator.Generators;

/// <summary>
/// The demo's reference data for the catalog's lookups: <c>countries</c> (every country the demo orders come from, with
/// its region and currency) and <c>fx_rates</c> (a rate to EUR per currency valid since 2020-01-01, plus the rates
/// changed since: <see cref="ChangeOneRate"/> moves one currency's rate from a given day on).
/// </summary>
public sealed class DemoReferenceData(Random random)
{
    private static readonly (string Country, string Region, string Currency)[] Countries =
    [
        ("US", "north_america", "USD"), ("CA", "north_america", "CAD"), ("MX", "north_america", "MXN"), ("BR", "south_america", "BRL"),
        ("DE", "europe", "EUR"), ("FR", "europe", "EUR"), ("NL", "europe", "EUR"), ("ES", "europe", "EUR"), ("IT", "europe", "EUR"),
        ("GB", "europe", "GBP"), ("PL", "europe", "PLN"), ("SE", "europe", "SEK"), ("IN", "asia", "INR"), ("JP", "asia", "JPY"), ("AU", "oceania", "AUD"),
    ];

    private static readonly DateOnly Since = new(2020, 1, 1);

    // The payment currencies of DemoEventFactory and their starting rates to EUR.
    private readonly SortedDictionary<(string Currency, DateOnly From), decimal> _rates = new()
    {
        [("EUR", Since)] = 1.0000m,
        [("USD", Since)] = 0.9200m,
        [("GBP", Since)] = 1.1700m,
    };

    /// <summary>The <c>countries</c> lookup as CSV.</summary>
    public static string CountriesCsv()
    {
        var csv = new StringBuilder("country,region,currency\n");
        foreach (var (country, region, currency) in Countries)
        {
            csv.Append(country).Append(',').Append(region).Append(',').Append(currency).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>The <c>fx_rates</c> lookup as CSV (currency, valid_from day, rate_to_eur).</summary>
    public string FxRatesCsv()
    {
        var csv = new StringBuilder("currency,valid_from,rate_to_eur\n");
        foreach (var ((currency, from), rate) in _rates)
        {
            csv.Append(currency).Append(',').Append(from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
                .Append(rate.ToString("0.0000", CultureInfo.InvariantCulture)).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>
    /// Moves the rate of one currency other than EUR by up to ±2 % from <paramref name="day"/> on (a row valid from that
    /// day: the events of that day already counted join the new rate at the next recompute). Returns the currency.
    /// </summary>
    public string ChangeOneRate(DateOnly day)
    {
        var currencies = _rates.Keys.Select(k => k.Currency).Where(c => c != "EUR").Distinct().Order(StringComparer.Ordinal).ToArray();
        var currency = currencies[random.Next(currencies.Length)];
        var latest = _rates.Where(r => r.Key.Currency == currency && r.Key.From <= day).MaxBy(r => r.Key.From).Value;
        var factor = 1m + (decimal)((random.NextDouble() - 0.5) * 0.04);
        _rates[(currency, day)] = Math.Round(latest * factor, 4);
        return currency;
    }
}
