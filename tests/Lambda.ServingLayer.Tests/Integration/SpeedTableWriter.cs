using Lambda.ServingLayer.Querying.ClickHouse;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Tests.Integration;

/// <summary>
/// Writes speed tables the way design-notes specify them (what the speed layer writes): one table per view version,
/// delta rows (kind 0) per flush and partition with the flush's offset range, marker rows (kind 1) for a partition
/// whose events the view filtered out, dimension and measure columns typed from the source fields.
/// </summary>
internal sealed class SpeedTableWriter(IClickHouseClient client, ViewDefinition view, bool bareSketches)
{
    public string Table => ClickHouseSpeedViewStore.TableName(view);

    public Task CreateAsync() => client.ExecuteAsync(
        $"CREATE TABLE {ClickHouseSql.QuoteIdentifier(Table)} (kind UInt8, `partition` UInt16, first_offset Int64, last_offset Int64, flushed_at DateTime, bucket DateTime, "
        + string.Join(", ", Columns().Select(c => $"{ClickHouseSql.QuoteIdentifier(c.Name)} {c.Type}"))
        + ") ENGINE = MergeTree PARTITION BY tuple() ORDER BY (`partition`, last_offset)");

    /// <summary>Aggregates the flush's events (all of one partition) and inserts its rows in one insert.</summary>
    public async Task FlushAsync(int partition, long first, long last, IEnumerable<OffsetEvent> events)
    {
        var aggregator = new ViewAggregator(view);
        foreach (var e in events)
        {
            aggregator.Add(e.Record);
        }

        var groups = aggregator.Drain();
        var names = new[] { "kind", "partition", "first_offset", "last_offset", "flushed_at", "bucket" }.Concat(Columns().Select(c => c.Name)).ToArray();
        await client.InsertAsync(Table, names, groups.Count == 0 ? [null] : groups.Cast<ViewGroup?>(), (writer, group) =>
        {
            writer.WriteUInt8(group is null ? (byte)1 : (byte)0);
            writer.WriteUInt16((ushort)partition);
            writer.WriteInt64(first);
            writer.WriteInt64(last);
            writer.WriteDateTime(DateTime.UtcNow);
            writer.WriteDateTime(group is null ? DateTime.UnixEpoch : group.BucketStart.UtcDateTime);
            for (var d = 0; d < view.Dimensions.Count; d++)
            {
                WriteDimension(writer, view.Dimensions[d].Type, group?.Dimensions[d]);
            }

            foreach (var measure in view.Measures)
            {
                WriteMeasure(writer, measure, group?.States[measure.Index] ?? measure.CreateState());
            }
        });
    }

    private IEnumerable<(string Name, string Type)> Columns()
    {
        foreach (var d in view.Dimensions)
        {
            yield return (d.Name, TypeOf(d.Type));
        }

        foreach (var m in view.Measures)
        {
            var field = m.FieldType;
            var sumType = field is { Kind: FieldKind.Decimal } f ? $"Decimal(18,{f.Scale})" : field is { } t ? TypeOf(t) : "UInt64";
            switch (m.Kind)
            {
                case MeasureKind.Count: yield return (m.Name, "UInt64"); break;
                case MeasureKind.Sum: yield return (m.Name, sumType); break;
                case MeasureKind.Min or MeasureKind.Max: yield return (m.Name, TypeOf(field!.Value)); yield return (m.Name + "_present", "UInt8"); break;
                case MeasureKind.Avg: yield return (m.Name + "_sum", sumType); yield return (m.Name + "_count", "UInt64"); yield return (m.Name, "Float64"); break;
                default: yield return (m.Name, "UInt64"); yield return (m.Name + "_state", "String"); break;
            }
        }
    }

    private static string TypeOf(FieldType type) => type.Kind switch
    {
        FieldKind.String => "String",
        FieldKind.Long => "Int64",
        FieldKind.Double => "Float64",
        FieldKind.Decimal => $"Decimal({type.Precision},{type.Scale})",
        FieldKind.Bool => "UInt8",
        _ => "DateTime",
    };

    private static void WriteDimension(RowBinaryWriter writer, FieldType type, Lambda.Shared.Events.FieldValue? value)
    {
        switch (type.Kind)
        {
            case FieldKind.String: writer.WriteString(value?.AsString() ?? string.Empty); break;
            case FieldKind.Long: writer.WriteInt64(value?.AsLong() ?? 0); break;
            case FieldKind.Double: writer.WriteFloat64(value?.AsDouble() ?? 0); break;
            case FieldKind.Decimal: writer.WriteDecimal64(value?.AsDecimal() ?? 0m, type.Scale); break;
            case FieldKind.Bool: writer.WriteBoolean(value?.AsBool() ?? false); break;
            default: writer.WriteDateTime(value?.AsTimestamp() ?? DateTimeOffset.UnixEpoch); break;
        }
    }

    private void WriteMeasure(RowBinaryWriter writer, MeasureDefinition measure, MeasureState state)
    {
        var scale = measure.FieldType?.Scale ?? 0;
        switch (state)
        {
            case CountState count:
                writer.WriteUInt64((ulong)count.Count);
                break;
            case ExactSumState sum when measure.FieldType!.Value.Kind == FieldKind.Decimal:
                writer.WriteDecimal64(DecimalScaling.FromUnscaled(sum.UnscaledSum, scale), scale);
                break;
            case ExactSumState sum:
                writer.WriteInt64((long)sum.UnscaledSum);
                break;
            case DoubleSumState sum:
                writer.WriteFloat64(sum.Sum);
                break;
            case ExactExtremumState extremum:
                var type = measure.FieldType!.Value;
                if (type.Kind == FieldKind.Decimal)
                {
                    writer.WriteDecimal64(extremum.HasValue ? DecimalScaling.FromUnscaled(extremum.RawValue, scale) : 0m, type.Scale);
                }
                else if (type.Kind == FieldKind.Timestamp)
                {
                    writer.WriteDateTime(DateTimeOffset.FromUnixTimeMilliseconds(extremum.HasValue ? extremum.RawValue : 0));
                }
                else
                {
                    writer.WriteInt64(extremum.HasValue ? extremum.RawValue : 0);
                }

                writer.WriteBoolean(extremum.HasValue);
                break;
            case DoubleExtremumState extremum:
                writer.WriteFloat64(extremum.GetValue().IsNull ? 0 : extremum.GetValue().AsDouble());
                writer.WriteBoolean(!extremum.IsEmpty);
                break;
            case ExactAvgState avg when measure.FieldType!.Value.Kind == FieldKind.Decimal:
                writer.WriteDecimal64(DecimalScaling.FromUnscaled(avg.UnscaledSum, scale), scale);
                writer.WriteUInt64((ulong)avg.Count);
                writer.WriteFloat64(avg.GetValue().IsNull ? 0 : (double)avg.GetValue().AsDecimal());
                break;
            case ExactAvgState avg:
                writer.WriteInt64((long)avg.UnscaledSum);
                writer.WriteUInt64((ulong)avg.Count);
                writer.WriteFloat64(avg.GetValue().IsNull ? 0 : avg.GetValue().AsDouble());
                break;
            case DoubleAvgState avg:
                writer.WriteFloat64(avg.Sum);
                writer.WriteUInt64((ulong)avg.Count);
                writer.WriteFloat64(avg.GetValue().IsNull ? 0 : avg.GetValue().AsDouble());
                break;
            case DistinctState distinct:
                writer.WriteUInt64((ulong)distinct.GetValue().AsLong());
                var bytes = distinct.ToBytes();
                writer.WriteString(bareSketches ? bytes.AsSpan(2) : bytes);
                break;
            default:
                throw new InvalidOperationException($"no column layout for {state}");
        }
    }
}
