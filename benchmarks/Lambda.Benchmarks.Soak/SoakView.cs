namespace Lambda.Benchmarks.Soak;

/// <summary>A view of the default catalog the soak checks: its dimension and the names of its count and sum measures.</summary>
internal sealed record SoakView(string Name, string Dimension, string CountMeasure, string SumMeasure)
{
    /// <summary><c>revenue_by_country</c>: paid orders by country (the soak's own countries).</summary>
    public static readonly SoakView RevenueByCountry = new("revenue_by_country", "country", "orders", "revenue");

    /// <summary><c>orders_by_status</c>: orders by status (the soak's own, non-paid statuses).</summary>
    public static readonly SoakView OrdersByStatus = new("orders_by_status", "status", "orders", "amount");

    public static readonly IReadOnlyList<SoakView> All = [RevenueByCountry, OrdersByStatus];
}
