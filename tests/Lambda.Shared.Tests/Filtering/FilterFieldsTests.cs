using Lambda.Shared.Catalog;
using Lambda.Shared.Filtering;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Filtering;

/// <summary><see cref="Filter.Fields"/>: the fields a filter reads, for callers that fill records partially.</summary>
public sealed class FilterFieldsTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("status = 'paid'", "status")]
    [InlineData("amount > 10 AND (country IN ('US', 'DE') OR NOT status = 'paid') AND amount < 100", "country,amount,status")]
    public void Fields_are_the_referenced_fields_in_ordinal_order(string? where, string expected)
    {
        var orders = TestCatalogs.Orders;

        var filter = Filter.Compile(where, orders);

        Assert.Equal(expected, string.Join(",", filter.Fields.Select(f => f.Name)));
        Assert.All(filter.Fields, f => Assert.Same(orders.GetField(f.Name), f));
    }

    [Fact]
    public void Catalog_views_expose_the_fields_of_their_where_clause()
    {
        Assert.Equal([TestCatalogs.Orders.GetField("status")], TestCatalogs.RevenueByCountry.Filter.Fields);
        Assert.Empty(TestCatalogs.Default.GetView("orders_by_status").Filter.Fields);
    }
}
