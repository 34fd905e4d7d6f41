using Lambda.Shared.Catalog;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>Catalogs over fields of every type for the batch-engine tests (the default catalog is <see cref="Lambda.Testing.TestCatalogs"/>).</summary>
internal static class TypeCatalogs
{
    /// <summary>
    /// A catalog with one field of every type and views using every measure kind over them. Unlike the kernel tests'
    /// all-types catalog, <c>everything</c> is filtered (<c>l &gt;= 0</c>, and the test events hold negative longs) and
    /// the second view has a double dimension.
    /// </summary>
    public static LambdaCatalog AllTypes { get; } = CatalogLoader.Parse("""
        sources:
          things:
            topic: things
            time: ts
            fields:
              s: string
              l: long
              d: double
              m: decimal(10,3)
              b: bool
              t: timestamp
        views:
          everything:
            source: things
            where: l >= 0
            granularity: minute
            dimensions: [s, b]
            measures:
              n: count
              sum_l: sum(l)
              sum_d: sum(d)
              sum_m: sum(m)
              min_l: min(l)
              max_l: max(l)
              min_d: min(d)
              max_d: max(d)
              min_m: min(m)
              max_m: max(m)
              min_t: min(t)
              max_t: max(t)
              avg_l: avg(l)
              avg_d: avg(d)
              avg_m: avg(m)
              distinct_s: distinct(s)
              distinct_l: distinct(l)
              distinct_d: distinct(d)
              distinct_m: distinct(m)
              distinct_b: distinct(b)
              distinct_t: distinct(t)
              quantiles_l: quantiles(l)
              quantiles_d: quantiles(d)
              quantiles_m: quantiles(m)
          by_typed_dims:
            source: things
            granularity: hour
            dimensions: [l, d, m, t]
            measures: { n: count, total: sum(m) }
        """, "all-types");
}
