using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lambda.Testing.Oracles;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// The stack tests' catalogs' enrichments and derived fields written out by the test over the raw JSON event, for a
/// <see cref="JsonViewOracle"/>: the join is <see cref="OracleLookup"/>'s (the row valid at the event time), the
/// arithmetic plain C# decimals. The result is the event with the enriched and derived fields added (JSON null where
/// the key has no row valid at the event's time: <c>on_missing: null</c>).
/// </summary>
internal static class OracleEnrichment
{
    /// <summary>An order with <c>region</c> (lookup <c>countries</c> by <c>country</c>).</summary>
    public static byte[] Order(byte[] json, OracleLookup countries)
    {
        var order = JsonNode.Parse(json)!.AsObject();
        var row = countries.RowAt(order["country"]!.GetValue<string>(), Milliseconds(order));
        order["region"] = row?.Values["region"];
        return JsonSerializer.SerializeToUtf8Bytes(order);
    }

    /// <summary>
    /// A payment with <c>rate_to_eur</c> (lookup <c>fx_rates</c> by <c>currency</c>) and <c>amount_eur: amount * rate_to_eur</c>
    /// (decimal(18,2) × decimal(18,4): exact, scale 6).
    /// </summary>
    public static byte[] Payment(byte[] json, OracleLookup fxRates)
    {
        var payment = JsonNode.Parse(json)!.AsObject();
        var row = fxRates.RowAt(payment["currency"]!.GetValue<string>(), Milliseconds(payment));
        if (row?.Values["rate_to_eur"] is { } text)
        {
            var rate = decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
            payment["rate_to_eur"] = rate;
            payment["amount_eur"] = payment["amount"]!.GetValue<decimal>() * rate;
        }
        else
        {
            payment["rate_to_eur"] = null;
            payment["amount_eur"] = null;
        }

        return JsonSerializer.SerializeToUtf8Bytes(payment);
    }

    private static long Milliseconds(JsonObject json) =>
        DateTimeOffset.Parse(json["ts"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None).ToUnixTimeMilliseconds();
}
