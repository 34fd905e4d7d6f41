using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.BatchLayer.Loading;

/// <summary>One group of a batch view as read from its published file.</summary>
/// <param name="BucketMilliseconds">Bucket start, UTC epoch milliseconds.</param>
/// <param name="Dimensions">The dimension values, in the view's dimension order.</param>
/// <param name="States">The measure states, in the view's measure order.</param>
public sealed record BatchViewRow(long BucketMilliseconds, IReadOnlyList<FieldValue> Dimensions, IReadOnlyList<MeasureState> States);
