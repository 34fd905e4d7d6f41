using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Catalog;

public sealed class DefaultCatalogTests
{
    [Fact]
    public void Orders_source_is_exactly_as_the_architecture_defines_it()
    {
        var orders = TestCatalogs.Orders;

        Assert.Equal("orders", orders.Topic);
        Assert.Equal("ts", orders.TimeField);
        Assert.Equal(
            ["order_id: string", "user_id: string", "country: string", "amount: decimal(18,2)", "status: string"],
            orders.Fields.Select(f => f.ToString()));
        Assert.Equal(FieldType.Decimal(18, 2), orders.GetField("amount").Type);
        Assert.Equal([0, 1, 2, 3, 4], orders.Fields.Select(f => f.Ordinal));
    }

    [Fact]
    public void Revenue_by_country_is_exactly_as_the_architecture_defines_it()
    {
        var view = TestCatalogs.RevenueByCountry;

        Assert.Same(TestCatalogs.Orders, view.Source);
        Assert.Equal("status = 'paid'", view.FilterText);
        Assert.Equal("status = 'paid'", view.Filter.CanonicalText);
        Assert.Equal(Granularity.Minute, view.Granularity);
        Assert.Equal(["country"], view.Dimensions.Select(d => d.Name));
        Assert.Equal(
            ["orders: count", "revenue: sum(amount)", "biggest: max(amount)", "buyers: distinct(user_id)"],
            view.Measures.Select(m => m.ToString()));
        Assert.Equal(
            [MeasureValueKind.Long, MeasureValueKind.Decimal, MeasureValueKind.Decimal, MeasureValueKind.Long],
            view.Measures.Select(m => m.ResultKind));
        Assert.Matches("^[0-9a-f]{16}$", view.DefinitionHash);
    }

    [Fact]
    public void Default_catalog_has_payments_and_page_view_sources_with_views()
    {
        var catalog = TestCatalogs.Default;

        Assert.NotEmpty(catalog.ViewsOf("payments"));
        Assert.NotEmpty(catalog.ViewsOf("page_views"));
        Assert.True(catalog.TryGetSourceByTopic("payments", out var payments));
        Assert.Equal("payments", payments.Name);
        Assert.Equal(catalog.Views.Count, catalog.Views.Select(v => v.DefinitionHash).Distinct().Count());
    }

    [Fact]
    public void Lookups_by_unknown_name_fail_naming_the_name()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => TestCatalogs.Default.GetView("nope"));
        Assert.Contains("'nope'", ex.Message);
        Assert.False(TestCatalogs.Default.TryGetSource("nope", out _));
        Assert.Throws<KeyNotFoundException>(() => TestCatalogs.Orders.GetField("usr"));
    }
}
