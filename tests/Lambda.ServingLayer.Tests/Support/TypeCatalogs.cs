using Lambda.Shared.Catalog;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Catalogs over fields of every type (the default catalog is <see cref="Lambda.Testing.TestCatalogs"/>).</summary>
internal static class TypeCatalogs
{
    /// <summary>A catalog with dimensions of every type, for parsing and formatting tests.</summary>
    public static LambdaCatalog AllTypes { get; } = CatalogLoader.Parse("""
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
              spread: quantiles(price)
              ratios: quantiles(ratio)
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
