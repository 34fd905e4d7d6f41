using System.Globalization;
using System.Text;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.Shared.SpeedViews;

/// <summary>Reads delta rows of a speed table back into measure states and merges them into an aggregator.</summary>
internal sealed class SpeedRowReader
{
    private readonly SpeedTableSchema _schema;
    private readonly FieldType[] _dimensionTypes;
    private readonly int _measureStart;

    public SpeedRowReader(SpeedTableSchema schema)
    {
        _schema = schema;
        _dimensionTypes = schema.View.Dimensions.Select(d => d.Type).ToArray();
        _measureStart = 1 + _dimensionTypes.Length;
    }

    /// <summary>The table this reader reads.</summary>
    public SpeedTableSchema Schema => _schema;

    /// <summary>
    /// <c>SELECT bucket, dims..., state columns... FROM table WHERE kind = 0</c>, restricted to buckets that
    /// start in <paramref name="range"/> (when given) and, per partition, to rows with
    /// <c>first_offset &gt;= S_p</c> (partitions without a watermark: every row).
    /// </summary>
    public string BuildQuery(string database, TimeRange? range, IReadOnlyDictionary<int, long>? watermarks)
    {
        var sql = SelectDeltas(database, range);
        if (watermarks is { Count: > 0 })
        {
            // Every row of a flush has last_offset >= first_offset, and a flush never straddles S_p (S_p is a flush
            // boundary), so per partition "first_offset >= S_p" equals "last_offset >= S_p" on rows that exist; the
            // latter is a prefix range of the sort key (partition, last_offset), which ClickHouse prunes by index.
            // first_offset stays in the condition so the answer is exact even for an S_p that is not a boundary.
            var ordered = watermarks.OrderBy(w => w.Key).ToArray();
            sql.Append(" AND (");
            for (var i = 0; i < ordered.Length; i++)
            {
                AppendPartitionRange(sql.Append(i == 0 ? "(" : " OR ("), ordered[i].Key, Math.Max(0, ordered[i].Value), null).Append(')');
            }

            // Partitions without a watermark: every row.
            sql.Append(" OR ").Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn)).Append(" NOT IN (")
                .AppendJoin(", ", ordered.Select(w => w.Key.ToString(CultureInfo.InvariantCulture)))
                .Append("))");
        }

        return sql.ToString();
    }

    /// <summary>
    /// <c>SELECT bucket, dims..., state columns... FROM table WHERE kind = 0</c>, restricted to buckets that start in
    /// <paramref name="range"/> (when given) and to the partitions <paramref name="offsets"/> lists, each to the rows
    /// of its offset range; null when no range holds an offset (nothing to read).
    /// </summary>
    public string? BuildQuery(string database, TimeRange? range, IReadOnlyDictionary<int, SpeedOffsetRange> offsets, SpeedFilterMatcher? filters)
    {
        var ordered = offsets.Where(o => !o.Value.IsEmpty).OrderBy(o => o.Key).ToArray();
        if (ordered.Length == 0)
        {
            return null;
        }

        var sql = SelectDeltas(database, range).Append(" AND (");
        for (var i = 0; i < ordered.Length; i++)
        {
            AppendPartitionRange(sql.Append(i == 0 ? "(" : " OR ("), ordered[i].Key, Math.Max(0, ordered[i].Value.From), ordered[i].Value.To).Append(')');
        }

        sql.Append(')');
        filters?.AppendPushDown(sql);
        return sql.ToString();
    }

    private StringBuilder SelectDeltas(string database, TimeRange? range)
    {
        var columns = new List<string> { SpeedTableSchema.BucketColumn };
        columns.AddRange(_schema.View.Dimensions.Select(d => d.Name));
        foreach (var layout in _schema.MeasureLayouts)
        {
            columns.AddRange(layout.ReadColumns);
        }

        var sql = new StringBuilder("SELECT ")
            .AppendJoin(", ", columns.Select(ClickHouseSql.QuoteIdentifier))
            .Append(" FROM ").Append(ClickHouseSql.QualifiedName(database, _schema.TableName))
            .Append(" WHERE ").Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.KindColumn)).Append(" = ").Append((byte)SpeedRowKind.Delta);
        if (range is { } r)
        {
            // bucket is whole seconds; bucket*1000 >= start  <=>  bucket >= ceil(start/1000), likewise for the end.
            sql.Append(" AND ").Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.BucketColumn)).Append(" >= ").Append(SecondsLiteral(r.StartMilliseconds))
                .Append(" AND ").Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.BucketColumn)).Append(" < ").Append(SecondsLiteral(r.EndMilliseconds));
        }

        return sql;
    }

    /// <summary><c>partition = p AND last_offset &gt;= from AND first_offset &gt;= from [AND last_offset &lt; to]</c>.</summary>
    private static StringBuilder AppendPartitionRange(StringBuilder sql, int partition, long from, long? to)
    {
        var lastOffset = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.LastOffsetColumn);
        var bound = from.ToString(CultureInfo.InvariantCulture);
        sql.Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn)).Append(" = ").Append(partition.ToString(CultureInfo.InvariantCulture))
            .Append(" AND ").Append(lastOffset).Append(" >= ").Append(bound)
            .Append(" AND ").Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.FirstOffsetColumn)).Append(" >= ").Append(bound);
        if (to is { } end)
        {
            sql.Append(" AND ").Append(lastOffset).Append(" < ").Append(end.ToString(CultureInfo.InvariantCulture));
        }

        return sql;
    }

    /// <summary>Merges one result row (in <see cref="BuildQuery"/>'s column order) into <paramref name="target"/>.</summary>
    /// <returns>False when <paramref name="filters"/> rejects the row's dimensions (nothing merged).</returns>
    public bool MergeRow(ClickHouseRow row, ViewAggregator target, FieldValue[] dimensionBuffer, MeasureState[] stateBuffer, SpeedFilterMatcher? filters = null)
    {
        var bucket = new DateTimeOffset(row.GetDateTime(0)).ToUnixTimeMilliseconds();
        for (var d = 0; d < _dimensionTypes.Length; d++)
        {
            dimensionBuffer[d] = ReadValue(row, 1 + d, _dimensionTypes[d]);
        }

        if (filters is not null && !filters.Matches(dimensionBuffer))
        {
            return false;
        }

        var column = _measureStart;
        var layouts = _schema.MeasureLayouts;
        for (var m = 0; m < layouts.Count; m++)
        {
            stateBuffer[m] = ReadState(row, ref column, layouts[m].Measure);
        }

        target.MergeGroup(bucket, dimensionBuffer, stateBuffer);
        return true;
    }

    private static string SecondsLiteral(long epochMilliseconds)
    {
        var seconds = (long)Math.Ceiling(epochMilliseconds / 1000d);
        return "toDateTime(" + Math.Clamp(seconds, 0, uint.MaxValue).ToString(CultureInfo.InvariantCulture) + ")";
    }

    private static MeasureState ReadState(ClickHouseRow row, ref int column, MeasureDefinition measure)
    {
        var state = measure.CreateState();
        var fieldType = measure.FieldType;
        switch (state)
        {
            case CountState count:
                count.Add(checked((long)row.GetUInt64(column++)));
                break;
            case ExactSumState sum:
                sum.Add(ReadUnscaled(row, column++, fieldType!.Value, sumColumn: true));
                break;
            case DoubleSumState sum:
                sum.Add(row.GetDouble(column++));
                break;
            case ExactExtremumState extremum:
            {
                var raw = ReadRaw(row, column, fieldType!.Value);
                if (row.GetBoolean(column + 1))
                {
                    extremum.Add(raw);
                }

                column += 2;
                break;
            }

            case DoubleExtremumState extremum:
            {
                var value = row.GetDouble(column);
                if (row.GetBoolean(column + 1))
                {
                    extremum.Add(value);
                }

                column += 2;
                break;
            }

            case ExactAvgState avg:
                avg.AddAggregate(checked((long)row.GetUInt64(column + 1)), ReadUnscaled(row, column, fieldType!.Value, sumColumn: true));
                column += 2;
                break;
            case DoubleAvgState avg:
                avg.AddAggregate(checked((long)row.GetUInt64(column + 1)), row.GetDouble(column));
                column += 2;
                break;
            case DistinctState distinct:
            {
                var bytes = row.GetSpan(column++);
                if (!bytes.IsEmpty)
                {
                    distinct.Sketch.Merge(HyperLogLog.Read(bytes));
                }

                break;
            }

            case QuantilesState quantiles:
            {
                var bytes = row.GetSpan(column++);
                if (!bytes.IsEmpty)
                {
                    quantiles.Sketch.Merge(DDSketch.Read(bytes));
                }

                break;
            }

            default:
                throw new InvalidOperationException($"measure '{measure.Name}': unexpected state type {state.GetType().Name}");
        }

        return state;
    }

    private static FieldValue ReadValue(ClickHouseRow row, int column, FieldType type) => type.Kind switch
    {
        FieldKind.String => FieldValue.FromString(row.GetString(column)),
        _ => FieldValue.FromRawBits(type, ReadRaw(row, column, type)),
    };

    /// <summary>The raw 64-bit form of a non-string column value (see <see cref="FieldValue.RawBits"/>).</summary>
    private static long ReadRaw(ClickHouseRow row, int column, FieldType type) => type.Kind switch
    {
        FieldKind.Long => row.GetInt64(column),
        FieldKind.Double => BitConverter.DoubleToInt64Bits(row.GetDouble(column) + 0d),
        FieldKind.Decimal => ReadUnscaled(row, column, type, sumColumn: false),
        FieldKind.Bool => row.GetBoolean(column) ? 1 : 0,
        FieldKind.Timestamp => new DateTimeOffset(row.GetDateTime(column)).ToUnixTimeMilliseconds(),
        _ => throw new InvalidOperationException($"type {type} has no raw form"),
    };

    private static long ReadUnscaled(ClickHouseRow row, int column, FieldType type, bool sumColumn)
    {
        if (type.Kind == FieldKind.Long)
        {
            return row.GetInt64(column);
        }

        var value = row.GetDecimal(column);
        return DecimalScaling.TryToUnscaled(value, type.Scale, out var unscaled)
            ? unscaled
            : throw new FormatException(
                $"column {row.Columns[column].Name} holds {value.ToString(CultureInfo.InvariantCulture)}, which is not a {(sumColumn ? "sum" : "value")} at scale {type.Scale}");
    }
}
