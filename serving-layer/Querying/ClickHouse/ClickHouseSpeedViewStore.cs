using System.Globalization;
using System.Text;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Querying.ClickHouse;

/// <summary>
/// Reads speed deltas from the speed layer's ClickHouse table <c>speed_&lt;view&gt;_&lt;hash8&gt;</c> (schema in
/// design-notes: kind, partition, first_offset, last_offset, flushed_at, bucket, dimensions, measure columns) and
/// merges them per (bucket, dimensions) with the shared monoids. Only rows of partition p with
/// <c>first_offset &gt;= S_p</c> are read. Every value in the SQL is a number from the query or a literal escaped by
/// <see cref="ClickHouseSql"/>; table and column names come from the catalog and are quoted.
/// </summary>
/// <remarks>
/// Filters on string, long and bool dimensions are pushed into the WHERE clause (their text form is exact); the
/// others are applied by the engine after reading. A table that does not exist yet (the speed layer has not
/// started on this definition) holds no deltas.
/// </remarks>
public sealed partial class ClickHouseSpeedViewStore(IClickHouseClient client, ILogger<ClickHouseSpeedViewStore> logger) : ISpeedViewStore
{
    private const int UnknownTable = 60;

    /// <summary>The speed table of the view's current definition: <c>speed_&lt;view&gt;_&lt;first 8 hex digits of its hash&gt;</c>.</summary>
    public static string TableName(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return $"speed_{view.Name}_{view.DefinitionHash[..8]}";
    }

    /// <inheritdoc/>
    public async Task<SpeedViewRead> ReadAsync(
        ViewDefinition view, ViewSelection selection, IReadOnlyDictionary<int, long> batchWatermark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(batchWatermark);
        var table = ClickHouseSql.QualifiedName(client.Database, TableName(view));
        try
        {
            var offsetsTask = ReadNextOffsetsAsync(table, cancellationToken);
            var groupsTask = ReadGroupsAsync(view, table, selection, batchWatermark, cancellationToken);
            await Task.WhenAll(offsetsTask, groupsTask).ConfigureAwait(false);
            return new SpeedViewRead(await groupsTask.ConfigureAwait(false), await offsetsTask.ConfigureAwait(false));
        }
        catch (ClickHouseException ex) when (ex.ErrorCode == UnknownTable)
        {
            LogNoTable(logger, view.Name, TableName(view));
            return new SpeedViewRead([], new Dictionary<int, long>());
        }
    }

    /// <summary>The SELECT that reads the selected deltas (public for tests and diagnostics).</summary>
    public static string BuildSelect(ViewDefinition view, string qualifiedTable, ViewSelection selection, IReadOnlyDictionary<int, long> batchWatermark)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(batchWatermark);
        var sql = new StringBuilder("SELECT bucket");
        foreach (var dimension in view.Dimensions)
        {
            sql.Append(", ").Append(ClickHouseSql.QuoteIdentifier(dimension.Name));
        }

        foreach (var measure in view.Measures)
        {
            foreach (var column in MeasureColumns(measure))
            {
                sql.Append(", ").Append(ClickHouseSql.QuoteIdentifier(column));
            }
        }

        var (from, to) = SecondsRange(selection);
        sql.Append(" FROM ").Append(qualifiedTable)
            .Append(" WHERE kind = 0 AND bucket >= toDateTime(").Append(Number(from))
            .Append(") AND bucket < toDateTime(").Append(Number(to)).Append(')');

        if (batchWatermark.Count > 0)
        {
            var partitions = batchWatermark.OrderBy(p => p.Key).ToArray();
            sql.Append(" AND (`partition` NOT IN (").AppendJoin(", ", partitions.Select(p => Number(p.Key))).Append(')');
            foreach (var (partition, offset) in partitions)
            {
                sql.Append(" OR (`partition` = ").Append(Number(partition)).Append(" AND first_offset >= ").Append(Number(offset)).Append(')');
            }

            sql.Append(')');
        }

        foreach (var condition in selection.Conditions)
        {
            if (Literal(condition.Dimension.Type) is { } literal)
            {
                sql.Append(" AND ").Append(ClickHouseSql.QuoteIdentifier(condition.Dimension.Name))
                    .Append(" IN (").AppendJoin(", ", condition.Values.Select(literal)).Append(')');
            }
        }

        return sql.ToString();
    }

    /// <summary>The stored columns of a measure, in the order <see cref="BuildSelect"/> reads them.</summary>
    internal static IEnumerable<string> MeasureColumns(MeasureDefinition measure) => measure.Kind switch
    {
        MeasureKind.Min or MeasureKind.Max => [measure.Name, measure.Name + "_present"],
        MeasureKind.Avg => [measure.Name + "_sum", measure.Name + "_count"],
        MeasureKind.Distinct => [measure.Name + "_state"],
        _ => [measure.Name],
    };

    private async Task<IReadOnlyList<ViewGroup>> ReadGroupsAsync(
        ViewDefinition view, string table, ViewSelection selection, IReadOnlyDictionary<int, long> batchWatermark, CancellationToken cancellationToken)
    {
        var (from, to) = SecondsRange(selection);
        if (to <= from)
        {
            return [];
        }

        var aggregator = new ViewAggregator(view);
        var dimensions = new FieldValue[view.Dimensions.Count];
        var states = new MeasureState[view.Measures.Count];
        var sql = BuildSelect(view, table, selection, batchWatermark);
        await foreach (var row in client.QueryAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            var bucket = new DateTimeOffset(row.GetDateTime(0)).ToUnixTimeMilliseconds();
            var ordinal = 1;
            for (var d = 0; d < dimensions.Length; d++)
            {
                dimensions[d] = ReadDimension(row, ordinal++, view.Dimensions[d].Type);
            }

            for (var m = 0; m < states.Length; m++)
            {
                states[m] = ReadState(row, ref ordinal, view.Measures[m]);
            }

            if (selection.MatchesDimensions(dimensions))
            {
                aggregator.MergeGroup(bucket, dimensions, states);
            }
        }

        return aggregator.Drain();
    }

    private async Task<IReadOnlyDictionary<int, long>> ReadNextOffsetsAsync(string table, CancellationToken cancellationToken)
    {
        var offsets = new Dictionary<int, long>();
        var rows = await client.QueryRowsAsync($"SELECT `partition`, max(last_offset) FROM {table} GROUP BY `partition`", cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            offsets[row.GetInt32(0)] = row.GetInt64(1) + 1;
        }

        return offsets;
    }

    private static FieldValue ReadDimension(ClickHouseRow row, int ordinal, FieldType type) => type.Kind switch
    {
        FieldKind.String => FieldValue.FromString(row.GetString(ordinal)),
        FieldKind.Long => FieldValue.FromLong(row.GetInt64(ordinal)),
        FieldKind.Double => FieldValue.FromDouble(row.GetDouble(ordinal)),
        FieldKind.Decimal => FieldValue.FromDecimal(row.GetDecimal(ordinal), type),
        FieldKind.Bool => FieldValue.FromBool(row.GetBoolean(ordinal)),
        FieldKind.Timestamp => FieldValue.FromTimestamp(new DateTimeOffset(row.GetDateTime(ordinal))),
        _ => throw new InvalidOperationException($"dimension type {type} cannot be read"),
    };

    private static MeasureState ReadState(ClickHouseRow row, ref int ordinal, MeasureDefinition measure)
    {
        var type = measure.FieldType;
        switch (measure.Kind)
        {
            case MeasureKind.Count:
            {
                var state = new CountState();
                state.Add(checked((long)row.GetUInt64(ordinal++)));
                return state;
            }

            case MeasureKind.Sum:
            {
                var state = measure.CreateState();
                if (state is DoubleSumState doubles)
                {
                    doubles.Add(row.GetDouble(ordinal++));
                }
                else
                {
                    ((ExactSumState)state).Add(Unscaled(row, ordinal++, type!.Value));
                }

                return state;
            }

            case MeasureKind.Min or MeasureKind.Max:
            {
                var state = measure.CreateState();
                var valueOrdinal = ordinal;
                var present = row.GetBoolean(ordinal + 1);
                ordinal += 2;
                if (present)
                {
                    if (state is DoubleExtremumState doubles)
                    {
                        doubles.Add(row.GetDouble(valueOrdinal));
                    }
                    else
                    {
                        ((ExactExtremumState)state).Add(Unscaled(row, valueOrdinal, type!.Value));
                    }
                }

                return state;
            }

            case MeasureKind.Avg:
            {
                var sumOrdinal = ordinal;
                var count = checked((long)row.GetUInt64(ordinal + 1));
                ordinal += 2;
                return type!.Value.Kind == FieldKind.Double
                    ? MeasureStateParts.DoubleAverage(measure, count, row.GetDouble(sumOrdinal))
                    : MeasureStateParts.ExactAverage(measure, count, Unscaled(row, sumOrdinal, type.Value));
            }

            case MeasureKind.Distinct:
                return MeasureStateParts.Distinct(measure, row.GetSpan(ordinal++));

            default:
                throw new InvalidOperationException($"measure kind {measure.Kind} cannot be read");
        }
    }

    /// <summary>A long, decimal (unscaled) or timestamp (epoch ms) column as the raw integer the exact states hold.</summary>
    private static long Unscaled(ClickHouseRow row, int ordinal, FieldType type) => type.Kind switch
    {
        FieldKind.Decimal => DecimalScaling.TryToUnscaled(row.GetDecimal(ordinal), type.Scale, out var unscaled)
            ? unscaled
            : throw new FormatException($"column {ordinal} holds a decimal that does not fit {type}"),
        FieldKind.Timestamp => new DateTimeOffset(row.GetDateTime(ordinal)).ToUnixTimeMilliseconds(),
        _ => row.GetInt64(ordinal),
    };

    private static Func<FieldValue, string>? Literal(FieldType type) => type.Kind switch
    {
        FieldKind.String => v => ClickHouseSql.QuoteString(v.AsString()),
        FieldKind.Long => v => Number(v.AsLong()),
        FieldKind.Bool => v => v.AsBool() ? "1" : "0",
        _ => null,
    };

    /// <summary>The selection's range in whole seconds, clamped to what a ClickHouse DateTime can hold.</summary>
    private static (long From, long To) SecondsRange(ViewSelection selection)
    {
        static long Clamp(long milliseconds) => Math.Clamp(Math.DivRem(milliseconds, 1000L).Quotient, 0L, uint.MaxValue);
        return (Clamp(selection.Range.StartMilliseconds), Clamp(selection.Range.EndMilliseconds));
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Debug, Message = "View {View} has no speed table {Table} yet: no speed deltas")]
    private static partial void LogNoTable(ILogger logger, string view, string table);
}
