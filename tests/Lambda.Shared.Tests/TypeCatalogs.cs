using Lambda.Shared.Catalog;

namespace Lambda.Shared.Tests;

/// <summary>
/// Catalogs over fields of every type, for the kernel's tests (the default catalog is <see cref="Lambda.Testing.TestCatalogs"/>).
/// </summary>
internal static class TypeCatalogs
{
    /// <summary>A catalog with one source holding one field of each type, and views over it.</summary>
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
          by_long:
            source: things
            where: l > 0
            granularity: hour
            dimensions: [l, m, t]
            measures: { n: count, total: sum(d) }
        """);

    /// <summary>A catalog whose single source is a one-field source of <paramref name="type"/> (field <c>f</c>).</summary>
    public static SourceDefinition SingleField(FieldType type) => CatalogLoader.Parse($"""
        sources:
          single:
            topic: single
            time: ts
            fields: {"{"} f: "{type}" {"}"}
        """).GetSource("single");
}
