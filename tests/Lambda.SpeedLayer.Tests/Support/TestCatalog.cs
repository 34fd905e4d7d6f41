using System.Text.Json;
using Lambda.Shared.Catalog;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// The catalog the speed-layer tests use: one source (its topic given per test) and views that together
/// cover every measure kind with exact states, every dimension type, several granularities, a filter and
/// a view that matches (almost) nothing, so its progress is kept by marker rows.
/// </summary>
internal static class TestCatalog
{
    public const string Source = "shop";

    public static string Yaml(string topic) => $$"""
        sources:
          {{Source}}:
            topic: {{topic}}
            time: ts
            key: user_id
            fields:
              order_id: string
              user_id: string
              country: string
              status: string
              amount: decimal(18,2)
              price: decimal(7,3)
              quantity: long
              premium: bool
              latency: double
              shipped: timestamp
        views:
          by_country:
            source: {{Source}}
            where: status = 'paid'
            granularity: minute
            dimensions: [country]
            measures:
              orders: count
              revenue: sum(amount)
              biggest: max(amount)
              smallest: min(amount)
              buyers: distinct(user_id)
              avg_amount: avg(amount)
          by_status:
            source: {{Source}}
            granularity: hour
            dimensions: [status, premium, quantity]
            measures:
              events: count
              items: sum(quantity)
              avg_items: avg(quantity)
              cheapest: min(price)
              dearest: max(price)
              fastest: min(latency)
              slowest: max(latency)
          by_price:
            source: {{Source}}
            where: quantity >= 3
            granularity: day
            dimensions: [price, latency]
            measures:
              lines: count
              price_sum: sum(price)
              avg_price: avg(price)
              users: distinct(user_id)
              countries: distinct(country)
          rare:
            source: {{Source}}
            where: country = 'ZZ'
            granularity: minute
            dimensions: [country]
            measures:
              hits: count
        """;

    /// <summary>
    /// The views' <c>where:</c> clauses above, written over the raw JSON event, for the oracle the end-to-end tests
    /// compute without the platform's filter language.
    /// </summary>
    public static Func<JsonElement, bool> Where(string view) => view switch
    {
        "by_country" => e => e.GetProperty("status").GetString() == "paid",
        "by_status" => _ => true,
        "by_price" => e => e.GetProperty("quantity").GetInt64() >= 3,
        "rare" => e => e.GetProperty("country").GetString() == "ZZ",
        _ => throw new ArgumentOutOfRangeException(nameof(view), view, "not a view of the test catalog"),
    };

    public static LambdaCatalog Parse(string topic) => CatalogLoader.Parse(Yaml(topic), "test catalog");

    /// <summary>Writes the catalog to a file (for the speed-layer process) and returns its path.</summary>
    public static string WriteFile(string directory, string topic)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "catalog.yaml");
        File.WriteAllText(path, Yaml(topic));
        return path;
    }
}
