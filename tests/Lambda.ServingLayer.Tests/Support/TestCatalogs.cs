using Lambda.Shared.Catalog;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Catalogs used across the tests.</summary>
internal static class TestCatalogs
{
    private static readonly Lazy<LambdaCatalog> LazyDefault = new(() => CatalogLoader.LoadFile(DefaultPath));

    /// <summary>The shipped default catalog, copied next to the test assembly by the build.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "catalog.yaml");

    /// <summary>The shipped default catalog.</summary>
    public static LambdaCatalog Default => LazyDefault.Value;

    public static SourceDefinition Orders => Default.GetSource("orders");

    /// <summary>revenue_by_country: orders where status = 'paid', per minute, by country; orders, revenue, biggest, buyers.</summary>
    public static ViewDefinition RevenueByCountry => Default.GetView("revenue_by_country");

    /// <summary>A catalog with dimensions of every type, for parsing and formatting tests.</summary>
    public static LambdaCatalog Typed { get; } = CatalogLoader.Parse("""
        sources:
          readings:
            topic: readings
            time: ts
            fields:
              site: string
              floor: long
              ratio: double
              price: decimal(10,3)
              ok: bool
              seen: timestamp
        views:
          by_everything:
            source: readings
            granularity: hour
            dimensions: [site, floor, ratio, price, ok, seen]
            measures:
              n: count
              total: sum(price)
              low: min(price)
              mean: avg(price)
              mean_floor: avg(floor)
              mean_ratio: avg(ratio)
              first: min(seen)
              sites: distinct(site)
          daily:
            source: readings
            granularity: day
            dimensions: [site]
            measures: { n: count }
          totals:
            source: readings
            granularity: minute
            measures: { n: count, total: sum(price) }
          averages:
            source: readings
            granularity: day
            measures: { mean_floor: avg(floor), mean_ratio: avg(ratio), mean_price: avg(price), sites: distinct(site) }
        """);
}
