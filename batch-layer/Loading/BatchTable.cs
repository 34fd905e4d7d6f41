using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// The ClickHouse table that holds one view version's batch rows for analysts:
/// <c>batch_&lt;view&gt;_&lt;hash8&gt;</c>, MergeTree partitioned by day (<c>toDate(bucket)</c>; the
/// platform's ClickHouse runs in UTC, as the speed tables assume too), so a day is replaced atomically
/// with <c>REPLACE PARTITION</c>.
/// </summary>
/// <remarks>
/// The columns and bytes are the speed table's group layout (<see cref="SpeedTableSchema.GroupColumns"/>, written by
/// <see cref="SpeedTableSchema.WriteGroup"/>), so analysts can <c>UNION ALL</c> both: docs/design-notes.md,
/// "ClickHouse speed tables".
/// </remarks>
public sealed class BatchTable
{
    private readonly SpeedTableSchema _schema;

    private BatchTable(ViewDefinition view)
    {
        _schema = SpeedTableSchema.For(view);
        Name = TableName(view);
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The view whose rows the table holds.</summary>
    public ViewDefinition View => _schema.View;

    /// <summary>The columns in table order (the speed table's group columns).</summary>
    public IReadOnlyList<SpeedColumn> Columns => _schema.GroupColumns;

    /// <summary>The version in the name: the first 8 hex digits of the view's definition hash.</summary>
    public string Version => _schema.Version;

    /// <summary>The batch table of <paramref name="view"/>'s current definition.</summary>
    public static BatchTable For(ViewDefinition view) => new(view ?? throw new ArgumentNullException(nameof(view)));

    /// <summary><c>batch_&lt;view&gt;_&lt;hash8&gt;</c>.</summary>
    public static string TableName(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return $"batch_{view.Name}_{SpeedTableSchema.VersionOf(view)}";
    }

    /// <summary><c>CREATE TABLE IF NOT EXISTS</c> for the table, in <paramref name="database"/>.</summary>
    public string CreateTableSql(string database)
    {
        var columns = string.Join(", ", Columns.Select(c => $"{ClickHouseSql.QuoteIdentifier(c.Name)} {c.Type}"));
        // Derived dimensions are Nullable (their null group), which ClickHouse 18.16 refuses in a sort key: they are left out of it.
        var key = string.Join(
            ", ", new[] { SpeedTableSchema.BucketColumn }.Concat(View.Dimensions.Where(d => !d.IsNullable).Select(d => d.Name)).Select(ClickHouseSql.QuoteIdentifier));
        return $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(database, Name)} ({columns}) "
            + $"ENGINE = MergeTree PARTITION BY toDate({ClickHouseSql.QuoteIdentifier(SpeedTableSchema.BucketColumn)}) ORDER BY ({key})";
    }

    /// <summary>Writes one group in RowBinary, in <see cref="Columns"/> order.</summary>
    /// <exception cref="ArgumentException">The group belongs to another definition of the view.</exception>
    /// <exception cref="OverflowException">A sum does not fit its column.</exception>
    public void WriteRow(RowBinaryWriter writer, ViewGroup group) => _schema.WriteGroup(writer, group);
}
