using System.Text.Json;

namespace Lambda.Testing.Oracles;

/// <summary>
/// The <c>where:</c> clauses of the default catalog (<c>shared/catalog.yaml</c>) written out over the raw JSON event,
/// for <see cref="JsonViewOracle"/>s of its views; a view added there without one here fails loudly.
/// </summary>
public static class DefaultCatalogFilters
{
    private static readonly string[] EngagedDevices = ["desktop", "mobile", "tablet"];

    /// <summary>The filter of the default catalog's view <paramref name="view"/>.</summary>
    public static Func<JsonElement, bool> Where(string view) => view switch
    {
        "revenue_by_country" => e => e.GetProperty("status").GetString() == "paid",
        "orders_by_status" or "site_climate" or "orders_by_amount_band" => _ => true,
        "payments_by_method" => e => e.GetProperty("succeeded").GetBoolean(),
        "failed_payments" or "failed_payments_by_user" => e => !e.GetProperty("succeeded").GetBoolean(),
        "traffic_by_country" => e => e.GetProperty("device").GetString() != "bot",
        "engaged_pages" => e => e.GetProperty("duration_ms").GetInt64() >= 10_000 && EngagedDevices.Contains(e.GetProperty("device").GetString()),
        _ => throw new ArgumentOutOfRangeException(nameof(view), view, "not a view of the default catalog: write its filter here"),
    };
}
