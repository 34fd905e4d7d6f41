using Lambda.Shared.Catalog;

namespace Lambda.Testing;

/// <summary>
/// The test catalogs over fields of every type, one set for the tests of every layer (the default catalog is
/// <see cref="TestCatalogs"/>): the kernel, the master and batch-view files, ClickHouse tables, query parsing.
/// </summary>
public static class TypeCatalogs
{
    /// <summary>
    /// Two sources with one field of each type and views over them:
    /// <list type="bullet">
    /// <item><c>things</c> (<c>s</c> string, <c>l</c> long, <c>d</c> double, <c>m</c> decimal(10,3), <c>b</c> bool,
    /// <c>t</c> timestamp): <c>everything</c> (per minute by <c>s</c>, <c>b</c>; every measure kind over every field
    /// type), <c>by_long</c> (<c>l &gt; 0</c>, per hour by <c>l</c>, <c>m</c>, <c>t</c>), <c>by_typed_dims</c> (per hour by
    /// <c>l</c>, <c>d</c>, <c>m</c>, <c>t</c>), <c>by_derived</c> (per hour by a derived dimension of each type, all null
    /// when <c>l</c> is 0 except <c>day</c>, <c>positive</c> and <c>weekday</c>).</item>
    /// <item><c>readings</c> (<c>site</c> string, <c>floor</c> long, <c>ratio</c> double, <c>price</c> decimal(9,3),
    /// <c>big</c> decimal(18,2), <c>ok</c> bool, <c>seen</c> timestamp; the two decimals take ClickHouse's 32- and 64-bit
    /// decimals): <c>by_everything</c> (per hour by a dimension of each type, every measure kind), <c>daily</c>,
    /// <c>totals</c> (no dimension) and <c>averages</c>.</item>
    /// </list>
    /// </summary>
    public static Catalog AllTypes { get; } = CatalogLoader.Parse("""
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
            derive:
              tag: "if(l > 0, upper(s), CASE WHEN l < 0 THEN s END)"
              share: bucket(m / l, 0.5)
              ratio: d / l
              day: date_trunc('day', t)
              positive: l > 0
              weekday: day_of_week(t)
          readings:
            topic: readings
            time: ts
            fields:
              site: string
              floor: long
              ratio: double
              price: decimal(9,3)
              big: decimal(18,2)
              ok: bool
              seen: timestamp
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
          by_typed_dims:
            source: things
            granularity: hour
            dimensions: [l, d, m, t]
            measures: { n: count, total: sum(m) }
          by_derived:
            source: things
            granularity: hour
            dimensions: [tag, share, ratio, day, positive, weekday]
            measures: { n: count, sum_ratio: sum(ratio), max_share: max(share), total: sum(m) }
          by_everything:
            source: readings
            granularity: hour
            dimensions: [site, floor, ratio, price, ok, seen]
            measures:
              n: count
              total: sum(price)
              total_floor: sum(floor)
              total_ratio: sum(ratio)
              total_big: sum(big)
              low: min(price)
              min_ratio: min(ratio)
              first: min(seen)
              max_seen: max(seen)
              mean: avg(price)
              mean_floor: avg(floor)
              mean_ratio: avg(ratio)
              mean_big: avg(big)
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
        """, "all-types");

    /// <summary>A one-field source of <paramref name="type"/> (field <c>f</c>, source <c>single</c>).</summary>
    public static SourceDefinition SingleField(FieldType type) => CatalogLoader.Parse($"""
        sources:
          single:
            topic: single
            time: ts
            fields: {"{"} f: "{type}" {"}"}
        """).GetSource("single");
}
