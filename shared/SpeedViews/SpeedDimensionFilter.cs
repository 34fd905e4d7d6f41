using Lambda.Shared.Events;

namespace Lambda.Shared.SpeedViews;

/// <summary>
/// A condition on one dimension of a view for reading speed deltas: the row's value must be one of
/// <see cref="Values"/>. Conditions on different dimensions must all hold.
/// </summary>
/// <param name="DimensionIndex">The dimension's position in the view's dimension list.</param>
/// <param name="Values">The accepted values (at least one), each of the dimension's type.</param>
public sealed record SpeedDimensionFilter(int DimensionIndex, IReadOnlyList<FieldValue> Values);
