using System.Buffers;
using System.Text;
using System.Text.Json;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.BatchLayer.Drift;

/// <summary>
/// Compares one view's groups computed from the speed deltas with the groups the batch kernel computes over the archived
/// events of the same offsets, per bucket, group and measure.
/// </summary>
/// <remarks>
/// The rule (docs/design-notes.md, "Drift audit"):
/// <list type="bullet">
/// <item>Exact measures (count, sums, min, max and avg of long and decimal fields, distinct, quantiles) must be equal as
/// serialised states, byte for byte: HyperLogLog registers and DDSketch bins, so two different sketches with the same
/// estimate still count as a difference.</item>
/// <item>Sums and averages of double fields depend on the order of additions: equal when the values differ by at most
/// 1e-9 relative (or 1e-12 absolute near zero), or both are NaN.</item>
/// <item>Minima and maxima of doubles are order-free: equal values (bit for bit, NaN equal to NaN).</item>
/// <item>Timestamps, as dimension values and as min/max, are compared at whole seconds: the speed tables hold no finer
/// time (ClickHouse 18.16 has no DateTime64); batch groups that then share a key are merged first.</item>
/// <item>A group present on one side only is compared with the measure's zero state on the other (count 0, no min).</item>
/// </list>
/// </remarks>
public static class DriftComparer
{
    /// <summary>Largest relative difference between two double sums or averages that still counts as equal.</summary>
    public const double DoubleRelativeTolerance = 1e-9;

    private const double DoubleAbsoluteTolerance = 1e-12;

    /// <summary>Every difference between <paramref name="speed"/> and <paramref name="batch"/>, ordered by bucket, group, measure.</summary>
    /// <exception cref="ArgumentException">A group belongs to another view definition.</exception>
    public static IReadOnlyList<DriftDifference> Compare(ViewDefinition view, IEnumerable<ViewGroup> speed, IEnumerable<ViewGroup> batch)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(speed);
        ArgumentNullException.ThrowIfNull(batch);
        var speedGroups = Normalize(view, speed, nameof(speed));
        var batchGroups = Normalize(view, batch, nameof(batch));
        var differences = new List<DriftDifference>();
        var keys = speedGroups.Keys.Union(batchGroups.Keys, StringComparer.Ordinal)
            .Select(k => speedGroups.TryGetValue(k, out var s) ? s : batchGroups[k])
            .OrderBy(g => g.Bucket)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToArray();
        foreach (var group in keys)
        {
            var speedStates = speedGroups.TryGetValue(group.Key, out var s) ? s.States : null;
            var batchStates = batchGroups.TryGetValue(group.Key, out var b) ? b.States : null;
            for (var m = 0; m < view.Measures.Count; m++)
            {
                var measure = view.Measures[m];
                var speedState = speedStates?[m] ?? measure.CreateState();
                var batchState = batchStates?[m] ?? measure.CreateState();
                if (!StatesAgree(speedState, batchState))
                {
                    differences.Add(new DriftDifference(
                        DateTimeOffset.FromUnixTimeMilliseconds(group.Bucket), group.Dimensions, measure.Name, ToJson(speedState.GetValue()), ToJson(batchState.GetValue())));
                }
            }
        }

        return differences;
    }

    /// <summary>Whether two states of the same measure agree under the rule in the remarks.</summary>
    public static bool StatesAgree(MeasureState speed, MeasureState batch)
    {
        ArgumentNullException.ThrowIfNull(speed);
        ArgumentNullException.ThrowIfNull(batch);
        return (speed, batch) switch
        {
            (DoubleSumState a, DoubleSumState b) => DoublesAgree(a.Sum, b.Sum),
            (DoubleAvgState a, DoubleAvgState b) => a.Count == b.Count && DoublesAgree(a.Sum, b.Sum),
            (ExactExtremumState a, ExactExtremumState b) when a.FieldType?.Kind == FieldKind.Timestamp =>
                a.HasValue == b.HasValue && (!a.HasValue || FloorSeconds(a.RawValue) == FloorSeconds(b.RawValue)),
            _ => speed.ContentEquals(batch),
        };
    }

    private static bool DoublesAgree(double a, double b) =>
        (double.IsNaN(a) && double.IsNaN(b))
        || a.Equals(b)
        || Math.Abs(a - b) <= Math.Max(DoubleAbsoluteTolerance, DoubleRelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(b)));

    private static long FloorSeconds(long milliseconds) => (long)Math.Floor(milliseconds / 1000d) * 1000;

    private static Dictionary<string, Keyed> Normalize(ViewDefinition view, IEnumerable<ViewGroup> groups, string side)
    {
        var result = new Dictionary<string, Keyed>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            if (!string.Equals(group.View.DefinitionHash, view.DefinitionHash, StringComparison.Ordinal))
            {
                throw new ArgumentException($"a {side} group belongs to view '{group.View.Name}' ({group.View.DefinitionHash}), not '{view.Name}' ({view.DefinitionHash})", side);
            }

            var dimensions = new KeyValuePair<string, string?>[group.Dimensions.Count];
            var key = new StringBuilder().Append(group.BucketStartMilliseconds);
            for (var d = 0; d < dimensions.Length; d++)
            {
                var text = Canonical(group.Dimensions[d]);
                dimensions[d] = new(view.Dimensions[d].Name, text);
                // \u0001 null / \u0002 value: a null never equals the text "null".
                key.Append(text is null ? "\u0001" : "\u0002" + text.Replace("\u0002", "\u0002\u0002", StringComparison.Ordinal));
            }

            var k = key.ToString();
            if (result.TryGetValue(k, out var existing))
            {
                for (var m = 0; m < existing.States.Length; m++)
                {
                    existing.States[m].Merge(group.States[m]);
                }
            }
            else
            {
                result[k] = new Keyed(k, group.BucketStartMilliseconds, dimensions, group.States.Select(s => s.Clone()).ToArray());
            }
        }

        return result;
    }

    private static string? Canonical(FieldValue value) =>
        value.IsNull ? null
        : value.Type.Kind == FieldKind.Timestamp ? FieldValue.FromTimestamp(FloorSeconds(value.AsTimestampMilliseconds())).ToCanonicalString()
        : value.ToCanonicalString();

    private static string ToJson(MeasureValue value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed record Keyed(string Key, long Bucket, IReadOnlyList<KeyValuePair<string, string?>> Dimensions, MeasureState[] States);
}
