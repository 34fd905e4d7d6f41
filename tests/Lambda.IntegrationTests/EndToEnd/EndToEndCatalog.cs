namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// The catalog of the end-to-end oracle test, also run by the lookup stack tests: <c>orders</c> enriched with
/// <c>countries</c> (not versioned) and <c>payments</c> enriched with <c>fx_rates</c> (versioned by day) and a derived
/// <c>amount_eur</c>; plain views, a view grouped by the enriched region, and one summing the converted amounts.
/// </summary>
internal static class EndToEndCatalog
{
    /// <summary>The sources, one topic each (orders first).</summary>
    public static IReadOnlyList<string> Sources { get; } = ["orders", "payments"];

    /// <summary>The catalog for the run's topics (by source).</summary>
    public static string Yaml(IReadOnlyDictionary<string, string> topics) => $$"""
        lookups:
          countries:
            key: { country: string }
            values: { region: string, currency: string }
            on_missing: null
          fx_rates:
            key: { currency: string }
            valid_from: day
            values: { rate_to_eur: "decimal(18,4)" }
            on_missing: null
        sources:
          orders:
            topic: {{topics["orders"]}}
            time: ts
            key: user_id
            fields: { order_id: string, user_id: string, country: string, amount: "decimal(18,2)", status: string }
            enrich:
              - { lookup: countries, key: [country], fields: [region] }
          payments:
            topic: {{topics["payments"]}}
            time: ts
            key: user_id
            fields: { payment_id: string, user_id: string, method: string, currency: string, amount: "decimal(18,2)", succeeded: bool }
            enrich:
              - { lookup: fx_rates, key: [currency] }
            derive:
              amount_eur: amount * rate_to_eur
        views:
          revenue_by_country:
            source: orders
            where: status = 'paid'
            granularity: minute
            dimensions: [country]
            measures: { orders: count, revenue: sum(amount), biggest: max(amount), buyers: distinct(user_id) }
          orders_by_status:
            source: orders
            granularity: hour
            dimensions: [status, country]
            measures: { orders: count, smallest: min(amount), avg_amount: avg(amount), customers: distinct(user_id) }
          revenue_by_region:
            source: orders
            where: status = 'paid'
            granularity: minute
            dimensions: [region]
            measures: { orders: count, revenue: sum(amount), buyers: distinct(user_id) }
          payments_volume_eur:
            source: payments
            where: succeeded = true
            granularity: hour
            dimensions: [method, currency]
            measures: { payments: count, volume_eur: sum(amount_eur), biggest_eur: max(amount_eur), avg_rate: avg(rate_to_eur) }
        """;
}
