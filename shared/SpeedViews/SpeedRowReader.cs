using System.Globalization;
using System.Text;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.Shared.SpeedViews;

/// <summary>
/// The row format's read side: the query that selects a speed table's delta rows and the reading of its rows back into
/// measure states merged into an aggregator (the write side is <see cref="SpeedRowWriter"/>).
/// </summary>
public sealed class SpeedRowReader
{
    private readonly SpeedTableSchema _schema;
    private readonly FieldType[] _dimensionTypes;
    private readonly int _measureStart;

    /// <summary>Creates the reader of <paramref name="schema"/>'s table.</summary>
    public SpeedRowReader(SpeedTableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
        _dimensionTypes = schema.View.Dimensions.Select(d => d.Type).ToArray();
        _measureStart = 1 + _dimensionTypes.Length;
    }

    /// <summary>The table this reader reads.</summary>
    public SpeedTableSchema Schema => _schema;

    /// <summary>
    /// <c>SELECT bucket, dims..., state columns... FROM table WHERE kind = 0</c>, restricted to buckets that start in
    /// <paramref name="range"/> (when given) and to the partitions <paramref name="offsets"/> lists, each to the rows
    /// of its offset range, and to rows whose dimension values are in every list of <paramref name="pushDown"/> where the
    /// dimension's literals are exact (string, long, bool; the others are left to the caller's check per row, so a
    /// rounding difference never drops a row), and to rows that count under <paramref name="fences"/> (<see cref="SpeedFences"/>;
    /// null: every row); null when no range holds an offset (nothing to read).
    /// </summary>
    /// <exception cref="ArgumentException">A push-down condition names a dimension the view does not have, or has no value.</exception>
    public string? BuildQuery(
        string database, TimeRange? range, IReadOnlyDictionary<int, SpeedOffsetRange> offsets, IReadOnlyList<SpeedDimensionFilter> pushDown, SpeedFences? fences = null)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(pushDown);
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
        if (fences?.Condition() is { } counted)
        {
            sql.Append(" AND ").Append(counted);
        }

        AppendPushDown(sql, pushDown);
        return sql.ToString();
    }

    /// <summary>Appends <c> AND `dim` IN (...)</c> for every condition whose literals are exact.</summary>
    private void AppendPushDown(StringBuilder sql, IReadOnlyList<SpeedDimensionFilter> pushDown)
    {
        var view = _schema.View;
        foreach (var condition in pushDown)
        {
            if (condition is null || condition.DimensionIndex < 0 || condition.DimensionIndex >= view.Dimensions.Count || condition.Values is not { Count: > 0 })
            {
                throw new ArgumentException($"view '{view.Name}': a push-down condition needs a dimension index below {view.Dimensions.Count} and at least one value", nameof(pushDown));
            }

            var dimension = view.Dimensions[condition.DimensionIndex];
            Func<FieldValue, string>? literal = dimension.Type.Kind switch
            {
                FieldKind.String => v => ClickHouseSql.QuoteString(v.AsString()),
                FieldKind.Long => v => v.AsLong().ToString(CultureInfo.InvariantCulture),
                FieldKind.Bool => v => v.AsBool() ? "1" : "0",
                _ => null,
            };
            if (literal is not null && CanPushDown(dimension.Type.Kind))
            {
                sql.Append(" AND ").Append(ClickHouseSql.QuoteIdentifier(dimension.Name)).Append(" IN (").AppendJoin(", ", condition.Values.Select(literal)).Append(')');
            }
        }
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

    /// <summary>True for the dimension kinds whose push-down conditions ClickHouse applies exactly (the others are checked per row).</summary>
    public static bool CanPushDown(FieldKind kind) => kind is FieldKind.String or FieldKind.Long or FieldKind.Bool;

    /// <summary>
    /// Runs <paramref name="sql"/> (from <see cref="BuildQuery"/>) on <paramref name="client"/> and merges every row
    /// <paramref name="keep"/> accepts into <paramref name="target"/>. A table that does not exist (yet, or any more) before
    /// the first row reads as empty.
    /// </summary>
    /// <returns>The number of rows merged.</returns>
    public async Task<long> ReadIntoAsync(
        IClickHouseClient client,
        string sql,
        ViewAggregator target,
        Func<IReadOnlyList<FieldValue>, bool>? keep,
        CancellationToken cancellationToken,
        ClickHouseCallOptions? call = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var dimensions = new FieldValue[_dimensionTypes.Length];
        var states = new MeasureState[_schema.View.Measures.Count];
        long read = 0, merged = 0;
        try
        {
            await using var result = await client.OpenReaderAsync(sql, call, cancellationToken).ConfigureAwait(false);
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                read++;
                if (MergeRow(result.Current, target, dimensions, states, keep))
                {
                    merged++;
                }
            }
        }
        catch (ClickHouseException ex) when (SpeedTableQueries.IsMissingTable(ex) && read == 0)
        {
            return 0;
        }

        return merged;
    }

    /// <summary>Merges one result row (in <see cref="BuildQuery"/>'s column order) into <paramref name="target"/>.</summary>
    /// <returns>False when <paramref name="keep"/> rejects the row's dimension values (nothing merged).</returns>
    public bool MergeRow(ClickHouseRow row, ViewAggregator target, FieldValue[] dimensionBuffer, MeasureState[] stateBuffer, Func<IReadOnlyList<FieldValue>, bool>? keep)
    {
        var bucket = new DateTimeOffset(row.GetDateTime(0)).ToUnixTimeMilliseconds();
        for (var d = 0; d < _dimensionTypes.Length; d++)
        {
            dimensionBuffer[d] = ReadValue(row, 1 + d, _dimensionTypes[d]);
        }

        if (keep is not null && !keep(dimensionBuffer))
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

    private static FieldValue ReadValue(ClickHouseRow row, int column, FieldType type) => row.IsNull(column) ? FieldValue.Null(type) : type.Kind switch
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
