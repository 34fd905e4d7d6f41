using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>A validated query of one view (see <see cref="ViewQueryParser"/>).</summary>
public sealed class ViewQuery
{
    /// <summary>Creates a query.</summary>
    /// <exception cref="ArgumentException">The parts do not fit the view (alignment, granularity, dimensions, limit).</exception>
    public ViewQuery(
        ViewDefinition view,
        TimeRange range,
        QueryGranularity granularity,
        IReadOnlyList<int> groupBy,
        DimensionFilter filter,
        int limit)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(groupBy);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (range.IsEmpty || !range.IsAlignedTo(view.Granularity))
        {
            throw new ArgumentException($"the range {range} must be non-empty and aligned to the view's granularity ({view.Granularity.ToName()})", nameof(range));
        }

        if (!view.Granularity.CanServe(granularity))
        {
            throw new ArgumentException($"view '{view.Name}' is stored per {view.Granularity.ToName()}; it cannot answer per {granularity.ToName()}", nameof(granularity));
        }

        if (groupBy.Any(i => i < 0 || i >= view.Dimensions.Count) || groupBy.Distinct().Count() != groupBy.Count)
        {
            throw new ArgumentException("group-by entries must be distinct dimension indexes of the view", nameof(groupBy));
        }

        View = view;
        Range = range;
        Granularity = granularity;
        GroupBy = groupBy;
        Filter = filter;
        Limit = limit;
        Selection = new ViewSelection(range, filter);
    }

    /// <summary>The view.</summary>
    public ViewDefinition View { get; }

    /// <summary>The half-open UTC range <c>[from, to)</c>, aligned to the view's granularity.</summary>
    public TimeRange Range { get; }

    /// <summary>The bucket width of the result rows.</summary>
    public QueryGranularity Granularity { get; }

    /// <summary>Indexes (into the view's dimensions) of the result's dimension columns, in the requested order.</summary>
    public IReadOnlyList<int> GroupBy { get; }

    /// <summary>The dimension filter.</summary>
    public DimensionFilter Filter { get; }

    /// <summary>Most rows returned.</summary>
    public int Limit { get; }

    /// <summary>The quantiles every <c>quantiles(f)</c> measure answers with (default p50, p90, p95, p99), each within [0, 1].</summary>
    public IReadOnlyList<double> Quantiles { get; init; } = QuantileValue.Defaults;

    /// <summary>What the stores are asked for.</summary>
    public ViewSelection Selection { get; }
}
