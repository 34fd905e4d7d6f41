using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Catalog;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Recompute;

public sealed class RecomputeChunkPlannerTests
{
    private static readonly DateOnly D1 = new(2026, 11, 24);
    private static readonly DateOnly D2 = new(2026, 11, 25);
    private static readonly DateOnly D3 = new(2026, 11, 26);

    [Fact]
    public void Every_view_day_is_one_chunk_numbered_by_day_then_source_then_view()
    {
        var plans = new[]
        {
            Plan("payments_by_method", D2),
            Plan("revenue_by_country", D1, D3),
            Plan("orders_by_status", D3, D1, D2),
            Plan("failed_payments"),
        };

        var chunks = RecomputeChunkPlanner.Plan(plans);

        Assert.Equal(
            [
                (0, "orders_by_status", "orders", D1), (1, "revenue_by_country", "orders", D1),
                (2, "orders_by_status", "orders", D2), (3, "payments_by_method", "payments", D2),
                (4, "orders_by_status", "orders", D3), (5, "revenue_by_country", "orders", D3),
            ],
            chunks.Select(c => (c.Number, c.View, c.Source, c.Day)));
    }

    [Fact]
    public void The_same_plans_in_any_order_give_the_same_chunks()
    {
        var plans = new[] { Plan("revenue_by_country", D1, D2), Plan("orders_by_status", D2), Plan("payments_by_method", D1, D3) };

        var forward = RecomputeChunkPlanner.Plan(plans);
        var backward = RecomputeChunkPlanner.Plan(plans.Reverse());

        Assert.Equal(forward, backward);
        Assert.Equal(5, forward.Count);
    }

    [Fact]
    public void Plans_without_days_give_no_chunks()
    {
        Assert.Empty(RecomputeChunkPlanner.Plan([Plan("revenue_by_country"), Plan("orders_by_status")]));
    }

    private static ViewPlan Plan(string view, params DateOnly[] days) => new()
    {
        View = TestCatalogs.Default.GetView(view),
        Previous = null,
        Replaced = null,
        Watermarks = new Dictionary<int, long> { [0] = 10 },
        ComputeDays = new SortedSet<DateOnly>(days),
    };
}
