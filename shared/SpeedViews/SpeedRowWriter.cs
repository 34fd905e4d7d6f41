using System.Buffers;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.Shared.SpeedViews;

/// <summary>Writes speed-table rows in RowBinary, in the column order of <see cref="SpeedTableSchema.Columns"/>.</summary>
public static class SpeedRowWriter
{
    private const long MaxDateTimeSeconds = uint.MaxValue;

    /// <summary>Writes every row of <paramref name="deltas"/> (delta rows, or a marker row for a delta without groups).</summary>
    public static async ValueTask WriteAsync(
        RowBinaryWriter writer, SpeedTableSchema schema, IReadOnlyList<SpeedPartitionDelta> deltas, uint flushedAtSeconds, CancellationToken cancellationToken)
    {
        foreach (var delta in deltas)
        {
            if (delta.Groups.Count == 0)
            {
                WriteMarker(writer, schema, delta, flushedAtSeconds);
                await writer.FlushIfNeededAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var group in delta.Groups)
            {
                WriteDelta(writer, schema, delta, flushedAtSeconds, group);
                await writer.FlushIfNeededAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Checks that every row can be written (states of the view's measures, sums that fit their columns).</summary>
    /// <exception cref="ArgumentException">A group belongs to another view definition or has states of other measures.</exception>
    /// <exception cref="OverflowException">A sum does not fit its 64-bit column.</exception>
    public static void Validate(SpeedTableSchema schema, IReadOnlyList<SpeedPartitionDelta> deltas)
    {
        foreach (var delta in deltas)
        {
            foreach (var group in delta.Groups)
            {
                ValidateGroup(schema, group);
            }
        }
    }

    /// <summary>Checks that one group can be written (see <see cref="Validate"/>).</summary>
    /// <exception cref="ArgumentException">The group belongs to another view definition or has states of other measures.</exception>
    /// <exception cref="OverflowException">A sum does not fit its 64-bit column.</exception>
    public static void ValidateGroup(SpeedTableSchema schema, ViewGroup group)
    {
        if (!string.Equals(group.View.DefinitionHash, schema.View.DefinitionHash, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"a group of view '{group.View.Name}' ({group.View.DefinitionHash}) cannot be stored in {schema.TableName}", nameof(group));
        }

        var layouts = schema.MeasureLayouts;
        for (var m = 0; m < layouts.Count; m++)
        {
            var measure = layouts[m].Measure;
            var state = group.States[m];
            if (state.Kind != measure.Kind || state.FieldType != measure.FieldType)
            {
                throw new ArgumentException($"measure '{measure.Name}': the group holds a {state.Kind} state over {state.FieldType}", nameof(group));
            }

            switch (state)
            {
                case ExactSumState sum:
                    ToInt64(sum.UnscaledSum, measure);
                    break;
                case ExactAvgState avg:
                    ToInt64(avg.UnscaledSum, measure);
                    break;
            }
        }
    }

    /// <summary>Seconds since the Unix epoch for a DateTime column, clamped to its range (1970-01-01 .. 2106-02-07).</summary>
    public static uint ToDateTimeSeconds(long epochMilliseconds) =>
        (uint)Math.Clamp(Math.Floor(epochMilliseconds / 1000d), 0, MaxDateTimeSeconds);

    private static void WriteHeader(RowBinaryWriter writer, SpeedRowKind kind, SpeedPartitionDelta delta, uint flushedAtSeconds)
    {
        writer.WriteUInt8((byte)kind);
        writer.WriteUInt16((ushort)delta.Partition);
        writer.WriteInt64(delta.FirstOffset);
        writer.WriteInt64(delta.LastOffset);
        writer.WriteUInt32(flushedAtSeconds);
        writer.WriteUInt64((ulong)delta.FencingToken);
    }

    private static void WriteMarker(RowBinaryWriter writer, SpeedTableSchema schema, SpeedPartitionDelta delta, uint flushedAtSeconds)
    {
        WriteHeader(writer, SpeedRowKind.Marker, delta, flushedAtSeconds);
        writer.WriteUInt32(0);
        foreach (var dimension in schema.View.Dimensions)
        {
            if (dimension.IsNullable)
            {
                writer.WriteNull();
                continue;
            }

            WriteZero(writer, dimension.Type);
        }

        foreach (var layout in schema.MeasureLayouts)
        {
            var measure = layout.Measure;
            switch (measure.Kind)
            {
                case MeasureKind.Count:
                    writer.WriteUInt64(0);
                    break;
                case MeasureKind.Sum:
                    WriteZeroSum(writer, measure.FieldType!.Value);
                    break;
                case MeasureKind.Min or MeasureKind.Max:
                    WriteZero(writer, measure.FieldType!.Value);
                    writer.WriteUInt8(0);
                    break;
                case MeasureKind.Avg:
                    WriteZeroSum(writer, measure.FieldType!.Value);
                    writer.WriteUInt64(0);
                    writer.WriteFloat64(0);
                    break;
                case MeasureKind.Distinct:
                    writer.WriteUInt64(0);
                    writer.WriteString(ReadOnlySpan<byte>.Empty);
                    break;
                case MeasureKind.Quantiles:
                    foreach (var unused in QuantileValue.Defaults)
                    {
                        writer.WriteFloat64(0);
                    }

                    writer.WriteString(ReadOnlySpan<byte>.Empty);
                    break;
                default:
                    throw new InvalidOperationException($"measure '{measure.Name}': unknown kind {measure.Kind}");
            }
        }
    }

    /// <summary>Writes the group columns (<see cref="SpeedTableSchema.GroupColumns"/>: bucket, dimensions, measures) of one group.</summary>
    public static void WriteGroupColumns(RowBinaryWriter writer, SpeedTableSchema schema, ViewGroup group)
    {
        writer.WriteUInt32(ToDateTimeSeconds(group.BucketStartMilliseconds));
        var dimensions = group.Dimensions;
        var definitions = schema.View.Dimensions;
        for (var d = 0; d < dimensions.Count; d++)
        {
            if (definitions[d].IsNullable)
            {
                if (dimensions[d].IsNull)
                {
                    writer.WriteNull();
                    continue;
                }

                writer.WriteNotNull();
            }

            WriteValue(writer, dimensions[d]);
        }

        var states = group.States;
        for (var m = 0; m < states.Count; m++)
        {
            WriteState(writer, schema.MeasureLayouts[m].Measure, states[m]);
        }
    }

    private static void WriteDelta(RowBinaryWriter writer, SpeedTableSchema schema, SpeedPartitionDelta delta, uint flushedAtSeconds, ViewGroup group)
    {
        WriteHeader(writer, SpeedRowKind.Delta, delta, flushedAtSeconds);
        WriteGroupColumns(writer, schema, group);
    }

    private static void WriteState(RowBinaryWriter writer, MeasureDefinition measure, MeasureState state)
    {
        switch (state)
        {
            case CountState count:
                writer.WriteUInt64((ulong)count.Count);
                break;
            case ExactSumState sum:
                writer.WriteInt64(ToInt64(sum.UnscaledSum, measure));
                break;
            case DoubleSumState sum:
                writer.WriteFloat64(sum.Sum);
                break;
            case ExactExtremumState extremum:
                WriteRaw(writer, measure.FieldType!.Value, extremum.HasValue ? extremum.RawValue : 0);
                writer.WriteUInt8(extremum.HasValue ? (byte)1 : (byte)0);
                break;
            case DoubleExtremumState extremum:
                writer.WriteFloat64(extremum.HasValue ? extremum.Value : 0);
                writer.WriteUInt8(extremum.HasValue ? (byte)1 : (byte)0);
                break;
            case ExactAvgState avg:
                writer.WriteInt64(ToInt64(avg.UnscaledSum, measure));
                writer.WriteUInt64((ulong)avg.Count);
                writer.WriteFloat64(avg.GetValue() is { IsNull: false } value ? value.ToDouble() : 0);
                break;
            case DoubleAvgState avg:
                writer.WriteFloat64(avg.Sum);
                writer.WriteUInt64((ulong)avg.Count);
                writer.WriteFloat64(avg.Count == 0 ? 0 : avg.Sum / avg.Count);
                break;
            case DistinctState distinct:
                writer.WriteUInt64((ulong)distinct.Sketch.Estimate());
                WriteSketch(writer, distinct.Sketch);
                break;
            case QuantilesState quantiles:
                // An empty state (no value in this group) shows as 0 estimates; the state column says it is empty.
                foreach (var q in QuantileValue.Defaults)
                {
                    writer.WriteFloat64(quantiles.Sketch.GetQuantile(q) ?? 0);
                }

                writer.WriteString(quantiles.Sketch.ToBytes());
                break;
            default:
                throw new InvalidOperationException($"measure '{measure.Name}': unexpected state type {state.GetType().Name}");
        }
    }

    private static void WriteSketch(RowBinaryWriter writer, HyperLogLog sketch)
    {
        var length = sketch.GetSerializedLength();
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = sketch.Write(buffer);
            writer.WriteString(buffer.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long ToInt64(Int128 unscaled, MeasureDefinition measure) =>
        unscaled >= long.MinValue && unscaled <= long.MaxValue
            ? (long)unscaled
            : throw new OverflowException(
                $"measure '{measure.Name}': a per-flush sum of {unscaled} (unscaled) does not fit the 64-bit speed-table column");

    private static void WriteValue(RowBinaryWriter writer, FieldValue value)
    {
        if (value.Type.Kind == FieldKind.String)
        {
            writer.WriteString(value.AsString());
            return;
        }

        WriteRaw(writer, value.Type, value.RawBits);
    }

    /// <summary>A non-string value from its raw 64-bit form (long, double bits, unscaled decimal, 0/1, epoch ms).</summary>
    private static void WriteRaw(RowBinaryWriter writer, FieldType type, long bits)
    {
        switch (type.Kind)
        {
            case FieldKind.Long:
                writer.WriteInt64(bits);
                break;
            case FieldKind.Double:
                writer.WriteFloat64(BitConverter.Int64BitsToDouble(bits));
                break;
            case FieldKind.Decimal when type.Precision <= SpeedColumnTypes.MaxDecimal32Precision:
                writer.WriteInt32(checked((int)bits));
                break;
            case FieldKind.Decimal:
                writer.WriteInt64(bits);
                break;
            case FieldKind.Bool:
                writer.WriteUInt8(bits != 0 ? (byte)1 : (byte)0);
                break;
            case FieldKind.Timestamp:
                writer.WriteUInt32(ToDateTimeSeconds(bits));
                break;
            default:
                throw new InvalidOperationException($"type {type} has no raw form");
        }
    }

    private static void WriteZero(RowBinaryWriter writer, FieldType type)
    {
        if (type.Kind == FieldKind.String)
        {
            writer.WriteString(ReadOnlySpan<byte>.Empty);
            return;
        }

        WriteRaw(writer, type, type.Kind == FieldKind.Double ? BitConverter.DoubleToInt64Bits(0d) : 0);
    }

    private static void WriteZeroSum(RowBinaryWriter writer, FieldType type)
    {
        if (type.Kind == FieldKind.Double)
        {
            writer.WriteFloat64(0);
        }
        else
        {
            writer.WriteInt64(0);
        }
    }
}
