using System.Globalization;
using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Measures;
using Lambda.Shared.SpeedViews;

namespace Lambda.BatchLayer.AnalystViews;

/// <summary>
/// The SQL of one view definition's exact analyst view and of its run-tagged batch table: the view named after the catalog
/// view returns, per bucket and every dimension, what <c>GET /api/views/{view}</c> returns at the view's granularity: the
/// batch rows of the run the pointer (<see cref="ExactViewTables.CurrentRuns"/>) names plus the speed deltas at or above
/// that run's watermarks, measures finalised in SQL. Design: docs/design-notes.md, "Exact analyst views in ClickHouse".
/// </summary>
/// <remarks>
/// Written for ClickHouse 18.16 and current releases alike: no CTEs, no correlated subqueries, one
/// <c>ANY LEFT JOIN</c> against a subquery (aliased, as current releases require) that reads the pointer row once and
/// unfolds it, so the batch side and the speed side can never follow two different runs.
/// </remarks>
public sealed class ExactViewSql
{
    /// <summary>
    /// The layout version, carried in the view's text as the pointer subquery's alias: a view whose text lacks it (an older
    /// layout, or the speed-only view earlier releases created under this name) is replaced.
    /// </summary>
    public const string LayoutMarker = "__pointer_v2";

    private readonly SpeedTableSchema _speed;

    private ExactViewSql(ViewDefinition view)
    {
        _speed = SpeedTableSchema.For(view);
        RunTableName = ExactViewTables.RunTablePrefix + view.Name + "_" + _speed.Version;
    }

    /// <summary>The view.</summary>
    public ViewDefinition View => _speed.View;

    /// <summary>The analyst view's name: exactly the catalog view's name.</summary>
    public string ViewName => View.Name;

    /// <summary>The run-tagged batch table: <c>batch_runs_&lt;view&gt;_&lt;hash8&gt;</c>.</summary>
    public string RunTableName { get; }

    /// <summary>The speed table the view reads.</summary>
    public string SpeedTableName => _speed.TableName;

    /// <summary>
    /// DDL of the speed table (the speed layer's own, idempotent): ClickHouse 18.16 refuses a view over a table that does not
    /// exist, and the batch layer may start before the speed layer created it.
    /// </summary>
    public string CreateSpeedTableSql(string database) => _speed.CreateTableSql(database);

    /// <summary>The columns of the run-tagged batch table in insert order: <see cref="ExactViewTables.RunColumn"/>, then the speed table's group columns.</summary>
    public IReadOnlyList<string> RunTableColumns => [ExactViewTables.RunColumn, .. _speed.GroupColumns.Select(c => c.Name)];

    /// <summary>The SQL of <paramref name="view"/>'s current definition.</summary>
    public static ExactViewSql For(ViewDefinition view) => new(view ?? throw new ArgumentNullException(nameof(view)));

    /// <summary>
    /// DDL of the run-tagged batch table: the speed table's group columns plus the run that computed the day file, partitioned by
    /// (day, run) so a day of a run is swapped in atomically and a superseded run's day dropped as a whole.
    /// </summary>
    public string CreateRunTableSql(string database)
    {
        var columns = string.Join(", ", _speed.GroupColumns.Select(c => $"{ClickHouseSql.QuoteIdentifier(c.Name)} {c.Type}"));
        var bucket = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.BucketColumn);
        return $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(database, RunTableName)} ({ClickHouseSql.QuoteIdentifier(ExactViewTables.RunColumn)} String, {columns}) "
            + $"ENGINE = MergeTree PARTITION BY (toDate({bucket}), {ClickHouseSql.QuoteIdentifier(ExactViewTables.RunColumn)}) ORDER BY ({bucket})";
    }

    /// <summary>The partition expression of (<paramref name="day"/>, <paramref name="run"/>) in the run-tagged batch table.</summary>
    public static string PartitionLiteral(DateOnly day, string run) =>
        "(" + ClickHouseSql.QuoteString(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) + ", " + ClickHouseSql.QuoteString(run) + ")";

    /// <summary>True when an existing view's stored text is this definition's exact view of the current layout.</summary>
    public bool IsCurrent(string createTableQuery)
    {
        ArgumentNullException.ThrowIfNull(createTableQuery);
        return createTableQuery.Contains(LayoutMarker, StringComparison.Ordinal)
            && createTableQuery.Contains(RunTableName, StringComparison.Ordinal)
            && createTableQuery.Contains(SpeedTableName, StringComparison.Ordinal)
            && createTableQuery.Contains(View.DefinitionHash, StringComparison.Ordinal);
    }

    /// <summary><c>CREATE VIEW</c> of the exact view in <paramref name="database"/> (not idempotent: the caller checks first).</summary>
    public string CreateViewSql(string database) =>
        $"CREATE VIEW {ClickHouseSql.QualifiedName(database, ViewName)} AS {SelectSql(database)}";

    /// <summary>The view's query.</summary>
    public string SelectSql(string database)
    {
        var keys = new[] { SpeedTableSchema.BucketColumn }.Concat(View.Dimensions.Select(d => d.Name)).Select(ClickHouseSql.QuoteIdentifier).ToArray();
        // Sketch states are not read: SQL cannot merge them, and they are the widest columns by far.
        var states = View.Measures.Where(m => m.Kind is MeasureKind.Distinct or MeasureKind.Quantiles).Select(m => m.Name + "_state").ToHashSet(StringComparer.Ordinal);
        var measureColumns = _speed.GroupColumns.Skip(1 + View.Dimensions.Count).Select(c => c.Name).Where(c => !states.Contains(c)).ToArray();
        var inner = string.Join(", ", keys.Concat(measureColumns.Select(c => $"{ClickHouseSql.QuoteIdentifier(c)} AS {Inner(c)}")));
        var passOn = string.Join(", ", keys.Concat(measureColumns.Select(Inner)));
        var bucket = ClickHouseSql.QuoteIdentifier(SpeedTableSchema.BucketColumn);

        var sql = new StringBuilder("SELECT ").Append(string.Join(", ", keys.Concat(View.Measures.SelectMany(Finalised))));
        sql.Append(" FROM (SELECT ").Append(passOn).Append(" FROM (");
        sql.Append("SELECT toUInt8(0) AS __src, toUInt16(0) AS __partition, toDate(").Append(bucket).Append(") AS __day, ")
            .Append(ClickHouseSql.QuoteIdentifier(ExactViewTables.RunColumn)).Append(" AS __file_run, toInt64(0) AS __first_offset, ").Append(inner)
            .Append(" FROM ").Append(ClickHouseSql.QualifiedName(database, RunTableName));
        sql.Append(" UNION ALL SELECT toUInt8(1) AS __src, ").Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.PartitionColumn)).Append(" AS __partition, ")
            .Append("toDate(0) AS __day, '' AS __file_run, ").Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.FirstOffsetColumn)).Append(" AS __first_offset, ")
            .Append(inner).Append(" FROM ").Append(ClickHouseSql.QualifiedName(database, SpeedTableName))
            .Append(" WHERE ").Append(ClickHouseSql.QuoteIdentifier(SpeedTableSchema.KindColumn)).Append(" = ").Append((byte)SpeedRowKind.Delta);

        // The pointer row, read once, unfolded into one join row per watermark (speed side: its position) and per day of the
        // run (batch side: the day and the run that computed its file). Rows without a match get the defaults: a partition
        // without a watermark has S_p = 0, a batch row of a day or run the pointer does not name has __hit = 0.
        sql.Append(") AS __rows ANY LEFT JOIN (SELECT tupleElement(__e, 1) AS __src, tupleElement(__e, 2) AS __partition, tupleElement(__e, 3) AS __day, ")
            .Append("tupleElement(__e, 4) AS __file_run, tupleElement(__e, 5) AS __wm, toUInt8(1) AS __hit FROM (SELECT arrayJoin(arrayConcat(")
            .Append("arrayMap((p, w) -> (toUInt8(1), p, toDate(0), '', w), __wm_partitions, __wm_positions), ")
            .Append("arrayMap((d, r) -> (toUInt8(0), toUInt16(0), d, r, toInt64(0)), __days, __day_runs))) AS __e FROM (")
            .Append("SELECT argMax(days, version) AS __days, argMax(day_runs, version) AS __day_runs, ")
            .Append("argMax(wm_partitions, version) AS __wm_partitions, argMax(wm_positions, version) AS __wm_positions FROM ")
            .Append(ClickHouseSql.QualifiedName(database, ExactViewTables.CurrentRuns))
            .Append(" WHERE view = ").Append(ClickHouseSql.QuoteString(View.Name))
            .Append(" AND definition_hash = ").Append(ClickHouseSql.QuoteString(View.DefinitionHash))
            .Append("))) AS ").Append(LayoutMarker).Append(" USING __src, __partition, __day, __file_run");
        sql.Append(" WHERE (__src = 0 AND __hit = 1) OR (__src = 1 AND __first_offset >= __wm)");
        sql.Append(") GROUP BY ").Append(string.Join(", ", keys));
        return sql.ToString();
    }

    private static string Inner(string column) => ClickHouseSql.QuoteIdentifier("__m_" + column);

    /// <summary>The finalised columns of one measure, merged over the group's rows as the serving layer merges states.</summary>
    private static IEnumerable<string> Finalised(MeasureDefinition measure)
    {
        var name = measure.Name;
        var output = ClickHouseSql.QuoteIdentifier(name);
        switch (measure.Kind)
        {
            case MeasureKind.Count:
            case MeasureKind.Sum:
                // Decimal sums come out as Decimal(38, s): the source's scale, and room for sums beyond 18 digits.
                yield return $"sum({Inner(name)}) AS {output}";
                break;
            case MeasureKind.Min or MeasureKind.Max:
                var present = Inner(name + "_present");
                var pick = measure.Kind == MeasureKind.Min ? "minIf" : "maxIf";
                yield return $"if(max({present}) = 1, {pick}({Inner(name)}, {present} = 1), NULL) AS {output}";
                break;
            case MeasureKind.Avg:
                // The parts add up across rows, so analysts can average over coarser buckets exactly: sum(m_sum) / sum(m_count).
                yield return $"sum({Inner(name + "_sum")}) AS {ClickHouseSql.QuoteIdentifier(name + "_sum")}";
                yield return $"sum({Inner(name + "_count")}) AS {ClickHouseSql.QuoteIdentifier(name + "_count")}";
                yield return AvgSql(measure) + " AS " + output;
                break;
            case MeasureKind.Distinct:
                // A HyperLogLog merge has no SQL equivalent here: the estimate is exact only for a group held by one stored row.
                yield return $"if(count() = 1, any({Inner(name)}), NULL) AS {output}";
                break;
            case MeasureKind.Quantiles:
                foreach (var q in QuantileValue.Defaults)
                {
                    var column = name + "_" + QuantileValue.LabelOf(q);
                    yield return $"if(count() = 1, any({Inner(column)}), NULL) AS {ClickHouseSql.QuoteIdentifier(column)}";
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(measure), measure.Kind, $"measure '{name}': unknown kind");
        }
    }

    /// <summary>
    /// The average as <c>ExactAvgState</c>/<c>DoubleAvgState</c> finalise it: a double for long and double fields; for a decimal
    /// field sum / count rounded half to even to the field's scale + <see cref="ExactAvgState.ExtraScale"/> digits, done in
    /// integer Decimal128 arithmetic (quotient, remainder, then the rounding rule) because ClickHouse's decimal division truncates.
    /// </summary>
    private static string AvgSql(MeasureDefinition measure)
    {
        var sum = $"sum({Inner(measure.Name + "_sum")})";
        var count = $"sum({Inner(measure.Name + "_count")})";
        var type = measure.FieldType!.Value;
        if (type.Kind != FieldKind.Decimal)
        {
            return $"if({count} = 0, NULL, toFloat64({sum}) / {count})";
        }

        var scale = type.Scale + ExactAvgState.ExtraScale;
        var power = "1" + new string('0', scale);
        var c = $"greatest({count}, 1)";
        var n = $"toDecimal128({sum} * toDecimal128('{power}', 0), 0)";
        var q = $"({n} / {c})";
        var r = $"({n} - {q} * {c})";
        var rounded = $"({q} + if({sum} < 0, -1, 1) * (2 * abs({r}) > {c} OR (2 * abs({r}) = {c} AND {q} - ({q} / 2) * 2 != 0)))";
        return string.Create(CultureInfo.InvariantCulture, $"if({count} = 0, NULL, toDecimal128({rounded}, {scale}) / {power})");
    }
}
