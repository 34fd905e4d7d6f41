using System.Globalization;
using System.Text;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Measures;

namespace Lambda.IntegrationTests.AnalystSql;

/// <summary>
/// The SQL an analyst writes against an exact view for one <see cref="OracleQuery"/>: range, rollup, group-by and filter, each
/// measure re-aggregated the way the README's analyst section says (sum of counts and sums, min of mins, max of maxes, an
/// average from its <c>_sum</c> and <c>_count</c> parts). Distinct estimates are read only where a row is one view row (the
/// view's own granularity, every dimension): they cannot be re-aggregated in SQL.
/// </summary>
internal sealed class AnalystSqlQuery
{
    public AnalystSqlQuery(OracleQuery query, string database)
    {
        Query = query;
        var view = query.View;
        var ownRows = query.RollUpMilliseconds == JsonViewOracleWidth(view) && query.GroupBy.Count == view.Dimensions.Count;
        var bucket = query.RollUpMilliseconds switch
        {
            null => $"toDateTime({query.FromMs / 1000})",
            { } ms => $"toDateTime(intDiv(toUInt32(bucket), {ms / 1000}) * {ms / 1000})",
        };
        var columns = new List<string> { bucket + " AS __b" };
        columns.AddRange(query.GroupBy.Select(d => ClickHouseSql.QuoteIdentifier(view.Dimensions[d].Name)));
        Measures = [];
        foreach (var measure in view.Measures)
        {
            var name = ClickHouseSql.QuoteIdentifier(measure.Name);
            switch (measure.Kind)
            {
                case MeasureKind.Count or MeasureKind.Sum:
                    columns.Add($"sum({name})");
                    Measures.Add((measure, 1));
                    break;
                case MeasureKind.Min:
                    columns.Add($"min({name})");
                    Measures.Add((measure, 1));
                    break;
                case MeasureKind.Max:
                    columns.Add($"max({name})");
                    Measures.Add((measure, 1));
                    break;
                case MeasureKind.Avg:
                    columns.Add($"sum({ClickHouseSql.QuoteIdentifier(measure.Name + "_sum")})");
                    columns.Add($"sum({ClickHouseSql.QuoteIdentifier(measure.Name + "_count")})");
                    Measures.Add((measure, 2));
                    break;
                case MeasureKind.Distinct when ownRows:
                    columns.Add($"any({name})");
                    Measures.Add((measure, 1));
                    break;
            }
        }

        var sql = new StringBuilder("SELECT ").Append(string.Join(", ", columns))
            .Append(" FROM ").Append(ClickHouseSql.QualifiedName(database, view.Name))
            .Append(CultureInfo.InvariantCulture, $" WHERE bucket >= toDateTime({query.FromMs / 1000}) AND bucket < toDateTime({query.ToMs / 1000})");
        foreach (var (dimension, values) in query.Filters)
        {
            sql.Append(" AND ").Append(ClickHouseSql.QuoteIdentifier(view.Dimensions[dimension].Name))
                .Append(" IN (").Append(string.Join(", ", values.Select(ClickHouseSql.QuoteString))).Append(')');
        }

        sql.Append(" GROUP BY __b").Append(string.Concat(query.GroupBy.Select(d => ", " + ClickHouseSql.QuoteIdentifier(view.Dimensions[d].Name))));
        Sql = sql.ToString();
    }

    public OracleQuery Query { get; }

    public string Sql { get; }

    /// <summary>The measures the SQL answers, with the number of columns each takes.</summary>
    public List<(MeasureDefinition Measure, int Columns)> Measures { get; }

    private static long JsonViewOracleWidth(ViewDefinition view) => Lambda.Testing.Oracles.JsonViewOracle.BucketMilliseconds(view.Granularity);
}
