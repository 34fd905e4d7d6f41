using Lambda.BatchLayer.AnalystViews;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.AnalystViews;

/// <summary>The SQL of the exact analyst views, without a server (the server-side behaviour: <see cref="ExactViewPublisherTests"/>).</summary>
public sealed class ExactViewSqlTests
{
    private static readonly Shared.Catalog.ViewDefinition Everything = TypeCatalogs.AllTypes.GetView("everything");

    [Fact]
    public void The_view_is_named_exactly_like_the_catalog_view_and_its_batch_table_after_the_definition()
    {
        var sql = ExactViewSql.For(TestCatalogs.RevenueByCountry);

        Assert.Equal("revenue_by_country", sql.ViewName);
        Assert.Equal("batch_runs_revenue_by_country_" + TestCatalogs.RevenueByCountry.DefinitionHash[..8], sql.RunTableName);
        Assert.Equal(SpeedTableSchema.TableNameOf(TestCatalogs.RevenueByCountry), sql.SpeedTableName);
        Assert.Equal("revenue_by_country_speed", SpeedTableSchema.For(TestCatalogs.RevenueByCountry).AnalystViewName);
    }

    [Fact]
    public void The_query_reads_the_pointer_once_for_this_definition_and_both_sides_from_it()
    {
        var select = ExactViewSql.For(TestCatalogs.RevenueByCountry).SelectSql("db");

        Assert.Equal(1, Occurrences(select, "`lambda_current_runs`"));
        Assert.Contains("definition_hash = '" + TestCatalogs.RevenueByCountry.DefinitionHash + "'", select, StringComparison.Ordinal);
        Assert.Contains("ANY LEFT JOIN", select, StringComparison.Ordinal);
        Assert.Contains("USING __src, __partition, __day, __file_run WHERE (__src = 0 AND __hit = 1) OR (__src = 1 AND __first_offset >= __wm)", select, StringComparison.Ordinal);
        Assert.Contains("`kind` = 0", select, StringComparison.Ordinal);
        Assert.EndsWith("GROUP BY `bucket`, `country`", select, StringComparison.Ordinal);
        Assert.DoesNotContain("WITH ", select, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_measure_kind_is_finalised_like_the_serving_layer_or_left_null_where_sql_cannot_merge_it()
    {
        var select = ExactViewSql.For(Everything).SelectSql("db");

        Assert.Contains("sum(`__m_n`) AS `n`", select, StringComparison.Ordinal);
        Assert.Contains("sum(`__m_sum_m`) AS `sum_m`", select, StringComparison.Ordinal);
        Assert.Contains("if(max(`__m_min_t_present`) = 1, minIf(`__m_min_t`, `__m_min_t_present` = 1), NULL) AS `min_t`", select, StringComparison.Ordinal);
        Assert.Contains("if(max(`__m_max_l_present`) = 1, maxIf(`__m_max_l`, `__m_max_l_present` = 1), NULL) AS `max_l`", select, StringComparison.Ordinal);
        Assert.Contains("sum(`__m_avg_m_sum`) AS `avg_m_sum`", select, StringComparison.Ordinal);
        Assert.Contains("sum(`__m_avg_m_count`) AS `avg_m_count`", select, StringComparison.Ordinal);
        Assert.Contains("if(sum(`__m_avg_l_count`) = 0, NULL, toFloat64(sum(`__m_avg_l_sum`)) / sum(`__m_avg_l_count`)) AS `avg_l`", select, StringComparison.Ordinal);

        // decimal(10,3): rounded half to even to 3 + 4 digits.
        Assert.Contains("toDecimal128(sum(`__m_avg_m_sum`) * toDecimal128('10000000', 0), 0)", select, StringComparison.Ordinal);
        Assert.Contains(", 7) / 10000000) AS `avg_m`", select, StringComparison.Ordinal);
        Assert.Contains("if(count() = 1, any(`__m_distinct_s`), NULL) AS `distinct_s`", select, StringComparison.Ordinal);
        Assert.Contains("if(count() = 1, any(`__m_quantiles_d_p99`), NULL) AS `quantiles_d_p99`", select, StringComparison.Ordinal);
        Assert.DoesNotContain("_state", select, StringComparison.Ordinal);
    }

    [Fact]
    public void The_run_table_has_the_speed_group_columns_after_the_run_and_is_partitioned_by_day_and_run()
    {
        var sql = ExactViewSql.For(TestCatalogs.RevenueByCountry);

        Assert.Equal(["__run", .. SpeedTableSchema.For(TestCatalogs.RevenueByCountry).GroupColumns.Select(c => c.Name)], sql.RunTableColumns);
        Assert.Contains("PARTITION BY (toDate(`bucket`), `__run`)", sql.CreateRunTableSql("db"), StringComparison.Ordinal);
        Assert.Equal("('2026-11-24', 'r\\'1')", ExactViewSql.PartitionLiteral(new DateOnly(2026, 11, 24), "r'1"));
    }

    [Fact]
    public void Only_the_current_layout_of_this_definition_counts_as_current()
    {
        var sql = ExactViewSql.For(TestCatalogs.RevenueByCountry);

        Assert.True(sql.IsCurrent(sql.CreateViewSql("db")));
        Assert.False(sql.IsCurrent(SpeedTableSchema.For(TestCatalogs.RevenueByCountry).CreateAnalystViewSql("db")));
        var other = Shared.Catalog.CatalogLoader.Parse(TestCatalogs.DefaultText.Replace("biggest: max(amount)", "biggest: min(amount)", StringComparison.Ordinal))
            .GetView("revenue_by_country");
        Assert.False(sql.IsCurrent(ExactViewSql.For(other).CreateViewSql("db")));
        Assert.False(sql.IsCurrent(sql.CreateViewSql("db").Replace(ExactViewSql.LayoutMarker, "__pointer_v0", StringComparison.Ordinal)));
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
