using Lambda.Shared.Catalog;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Catalog;

public sealed class DefinitionHashTests
{
    private const string Template = """
        sources:
          orders:
            topic: orders
            time: ts
            fields: { order_id: string, user_id: string, country: string, amount: "decimal(18,2)", status: string }
        views:
          v:
            source: orders
            where: WHERE
            granularity: GRANULARITY
            dimensions: [country]
            measures: { orders: count, revenue: sum(amount), biggest: max(amount), buyers: distinct(user_id) }
        """;

    private static string Hash(string where = "status = 'paid'", string granularity = "minute", Func<string, string>? edit = null)
    {
        var yaml = Template.Replace("WHERE", where, StringComparison.Ordinal).Replace("GRANULARITY", granularity, StringComparison.Ordinal);
        return CatalogLoader.Parse(edit is null ? yaml : edit(yaml)).GetView("v").DefinitionHash;
    }

    [Fact]
    public void Hash_is_stable_across_loads_and_matches_the_default_catalog_definition()
    {
        Assert.Equal(Hash(), Hash());
        Assert.Equal(TestCatalogs.RevenueByCountry.DefinitionHash, Hash());
    }

    [Fact]
    public void Spelling_of_the_filter_does_not_change_the_hash()
    {
        Assert.Equal(Hash(), Hash("\"(status='paid')\""));
        Assert.Equal(Hash("amount > 10.5"), Hash("amount > 10.50"));
        Assert.Equal(Hash("country IN ('US', 'DE')"), Hash("country in ('DE','US','DE')"));
    }

    [Fact]
    public void Every_semantic_change_changes_the_hash()
    {
        var baseline = Hash();
        string[] changed =
        [
            Hash("status = 'failed'"),
            Hash(granularity: "hour"),
            Hash(edit: y => y.Replace("\"decimal(18,2)\"", "\"decimal(18,3)\"", StringComparison.Ordinal)),
            Hash(edit: y => y.Replace("buyers: distinct(user_id)", "buyers: distinct(order_id)", StringComparison.Ordinal)),
            Hash(edit: y => y.Replace("biggest: max(amount)", "smallest: max(amount)", StringComparison.Ordinal)),
            Hash(edit: y => y.Replace("[country]", "[country, status]", StringComparison.Ordinal)),
            Hash(edit: y => y.Replace("time: ts", "time: created_at", StringComparison.Ordinal)),
        ];

        Assert.All(changed, h => Assert.NotEqual(baseline, h));
        Assert.Equal(changed.Length, changed.Distinct().Count());
    }
}
