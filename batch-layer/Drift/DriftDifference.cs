namespace Lambda.BatchLayer.Drift;

/// <summary>
/// One measure of one group on which the speed deltas and the batch recomputation of the same offsets disagree.
/// </summary>
/// <param name="Bucket">Start of the view's bucket (UTC).</param>
/// <param name="Group">The group's dimension values by name, in the view's dimension order (canonical text; null for a null value).</param>
/// <param name="Measure">The measure's name.</param>
/// <param name="SpeedValue">The speed side's final value as JSON (the zero state's value when the speed side has no such group).</param>
/// <param name="BatchValue">The batch side's final value as JSON (the zero state's value when the batch side has no such group).</param>
public sealed record DriftDifference(
    DateTimeOffset Bucket,
    IReadOnlyList<KeyValuePair<string, string?>> Group,
    string Measure,
    string SpeedValue,
    string BatchValue);
