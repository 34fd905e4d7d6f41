using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Querying;

/// <summary>A validated query of one view (see <see cref="ViewQueryParser"/>).</summary>
public sealed class ViewQuery
{
    /// <summary>Creates a query.</summary>
    /// <param name="view">The view.</param>
    /// <param name="range">The buckets answered, aligned to the view's granularity (and to <paramref name="granularity"/> with a window).</param>
    /// <param name="granularity">The bucket width of the rows.</param>
    /// <param name="groupBy">Dimension indexes of the rows.</param>
    /// <param name="filter">The dimension filter.</param>
    /// <param name="limit">Most rows returned.</param>
    /// <param name="window">With a window, each row holds the measures over the window ending with its bucket's end.</param>
    /// <exception cref="ArgumentException">The parts do not fit the view (alignment, granularity, dimensions, limit, window).</exception>
    public ViewQuery(
        ViewDefinition view,
        TimeRange range,
        QueryGranularity granularity,
        IReadOnlyList<int> groupBy,
        DimensionFilter filter,
        int limit,
        TrailingWindow? window = null)
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

        if (window is not null && (granularity.ToTimeGranularityOrNull() != window.Granularity || !range.IsAlignedTo(window.Granularity)))
        {
            throw new ArgumentException($"a window counts buckets of the query's granularity ({granularity.ToName()}), and the range {range} must be aligned to them", nameof(window));
        }

        View = view;
        Range = range;
        Window = window;
        Granularity = granularity;
        GroupBy = groupBy;
        Filter = filter;
        Limit = limit;
        Selection = new ViewSelection(window?.ReadRange(range) ?? range, filter);
    }

    /// <summary>The view.</summary>
    public ViewDefinition View { get; }

    /// <summary>The half-open UTC range <c>[from, to)</c>, aligned to the view's granularity.</summary>
    public TimeRange Range { get; }

    /// <summary>
    /// The sliding window, or null: each row then holds the measures over <see cref="TrailingWindow.OfBucket"/> of its
    /// bucket (merged from the stored buckets), and a group has a row wherever its window holds data.
    /// </summary>
    public TrailingWindow? Window { get; }

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

    /// <summary>What the stores are asked for: <see cref="Range"/>, extended by the window's buckets before it.</summary>
    public ViewSelection Selection { get; }
}
