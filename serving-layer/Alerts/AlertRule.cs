using Lambda.ServingLayer.Querying;
using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// A validated alert rule: <see cref="Measure"/> of <see cref="View"/> over the trailing <see cref="Window"/>, filtered
/// by <see cref="Filter"/>, compared with <see cref="Threshold"/>; the rule fires while the comparison holds.
/// </summary>
/// <remarks>The measured range is aligned to the view's buckets and ends with the bucket being filled: see docs/design-notes.md#alert-windows.</remarks>
public sealed class AlertRule
{
    internal AlertRule(
        string name,
        ViewDefinition view,
        MeasureDefinition measure,
        string? filterText,
        DimensionFilter filter,
        TrailingWindow window,
        AlertCondition condition,
        double threshold,
        IReadOnlyList<int> groupBy)
    {
        Name = name;
        View = view;
        Measure = measure;
        MeasureIndex = view.Measures.ToList().FindIndex(m => ReferenceEquals(m, measure));
        FilterText = filterText;
        Filter = filter;
        TrailingWindow = window;
        Condition = condition;
        Threshold = threshold;
        EmptyValue = MeasureState.Create(measure.Kind, measure.FieldType).GetValue();
        GroupBy = groupBy;
    }

    /// <summary>The rule's name.</summary>
    public string Name { get; }

    /// <summary>The view queried.</summary>
    public ViewDefinition View { get; }

    /// <summary>The measure compared.</summary>
    public MeasureDefinition Measure { get; }

    /// <summary>The measure's position among the view's measures (and in a result row's values).</summary>
    public int MeasureIndex { get; }

    /// <summary>The filter as configured (the <c>filter</c> form; the canonical filter when a <c>where</c> expression is set), null for none.</summary>
    public string? FilterText { get; }

    /// <summary>The parsed filter.</summary>
    public DimensionFilter Filter { get; }

    /// <summary>The trailing range measured: a whole number of the view's buckets, ending with the bucket that holds now.</summary>
    public TrailingWindow TrailingWindow { get; }

    /// <summary>Length of <see cref="TrailingWindow"/>.</summary>
    public TimeSpan Window => TrailingWindow.Length;

    /// <summary>The comparison.</summary>
    public AlertCondition Condition { get; }

    /// <summary>The threshold.</summary>
    public double Threshold { get; }

    /// <summary>Indexes of the view's dimensions the rule is measured per (each group has its own state); empty for one value.</summary>
    public IReadOnlyList<int> GroupBy { get; }

    /// <summary>The names of <see cref="GroupBy"/>'s dimensions, in order.</summary>
    public IReadOnlyList<string> GroupByNames => GroupBy.Select(i => View.Dimensions[i].Name).ToArray();

    /// <summary>The measure's value over a range without data.</summary>
    public MeasureValue EmptyValue { get; }

    /// <summary>The range measured at <paramref name="now"/> (see the remarks).</summary>
    public TimeRange RangeAt(DateTimeOffset now) => TrailingWindow.EndingWithBucketOf(now);

    /// <summary>
    /// The query (granularity all, grouped by <see cref="GroupBy"/>) that measures the rule at <paramref name="now"/>,
    /// answering at most <paramref name="maxGroups"/> rows (one for a rule without groups).
    /// </summary>
    public ViewQuery QueryAt(DateTimeOffset now, int maxGroups = 1) =>
        new(View, RangeAt(now), QueryGranularity.All, GroupBy, Filter, GroupBy.Count == 0 ? 1 : maxGroups);
}
