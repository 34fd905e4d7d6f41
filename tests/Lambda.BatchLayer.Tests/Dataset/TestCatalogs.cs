using Lambda.Shared.Catalog;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>Catalogs used by the batch-engine tests.</summary>
internal static class TestCatalogs
{
    private static readonly Lazy<string> DefaultText = new(() => File.ReadAllText(DefaultPath));
    private static readonly Lazy<LambdaCatalog> LazyDefault = new(() => CatalogLoader.LoadFile(DefaultPath));

    /// <summary>The shipped default catalog, as the build copies it next to the test assembly.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "catalog.yaml");

    public static LambdaCatalog Default => LazyDefault.Value;

    /// <summary>The default catalog text with the <c>orders</c> source reading <paramref name="topic"/> instead of <c>orders</c>.</summary>
    public static string DefaultWithOrdersTopic(string topic)
    {
        var text = DefaultText.Value;
        const string original = "    topic: orders\n";
        Assert.Equal(1, CountOf(text, original));
        return text.Replace(original, $"    topic: {topic}\n", StringComparison.Ordinal);
    }

    /// <summary>A catalog with one field of every type and views using every measure kind over them.</summary>
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
          by_typed_dims:
            source: things
            granularity: hour
            dimensions: [l, d, m, t]
            measures: { n: count, total: sum(m) }
        """, "all-types");

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
