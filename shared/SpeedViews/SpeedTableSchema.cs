using System.Runtime.CompilerServices;
using System.Text;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.SpeedViews;

/// <summary>
/// The layout of one view's speed table in ClickHouse: its versioned name, its columns in order, and the
/// DDL of the table and of the analyst view. One instance per view definition (<see cref="For"/>).
/// </summary>
/// <remarks>
/// One table per view definition, <c>speed_&lt;view&gt;_&lt;hash8&gt;</c>, whose rows carry the Kafka offset range they cover. The design is in <c>docs/design-notes.md</c>, "ClickHouse speed tables".
/// </remarks>
public sealed class SpeedTableSchema
{
    /// <summary>Name of the metadata table that records every table version.</summary>
    public const string MetadataTable = "speed_tables";

    /// <summary>Prefix of every speed table name.</summary>
    public const string TablePrefix = "speed_";

    /// <summary>
    /// Most rows one insert may hold: ClickHouse cuts an insert into blocks of max_insert_block_size
    /// (1,048,576) rows, and only a single block is atomic.
    /// </summary>
    public const int MaxRowsPerInsert = 1_000_000;

    /// <summary>The <c>kind</c> column.</summary>
    public const string KindColumn = "kind";

    /// <summary>The <c>partition</c> column (Kafka partition).</summary>
    public const string PartitionColumn = "partition";

    /// <summary>The <c>first_offset</c> column.</summary>
    public const string FirstOffsetColumn = "first_offset";

    /// <summary>The <c>last_offset</c> column.</summary>
    public const string LastOffsetColumn = "last_offset";

    /// <summary>The <c>flushed_at</c> column (UTC, whole seconds).</summary>
    public const string FlushedAtColumn = "flushed_at";

    /// <summary>
    /// The <c>fencing_token</c> column: the token of the assignment whose owner wrote the row (0: fencing off, or written
    /// before fencing existed); what counts is decided by <see cref="SpeedFences"/>.
    /// </summary>
    public const string FencingTokenColumn = "fencing_token";

    /// <summary>The <c>bucket</c> column (UTC start of the bucket).</summary>
    public const string BucketColumn = "bucket";

    /// <summary>
    /// Rows per primary-key granule of a speed table (ClickHouse's default is 8192). Progress reads (the speed layer's
    /// resume and verify, the serving reader's bound, the health sampler) read one granule per partition at least: with
    /// event times scattered over days a flush holds thousands of rows, and at 8192 a read of 32 partitions read ~260,000
    /// rows where 256 reads ~17,000 (docs/design-notes.md, "ClickHouse speed tables"). Only tables created with it have it.
    /// </summary>
    public const int IndexGranularity = 256;

    private static readonly ConditionalWeakTable<ViewDefinition, SpeedTableSchema> Cache = new();
    private static readonly string[] FixedColumnNames =
        [KindColumn, PartitionColumn, FirstOffsetColumn, LastOffsetColumn, FlushedAtColumn, FencingTokenColumn, BucketColumn];

    private SpeedTableSchema(ViewDefinition view)
    {
        View = view;
        Version = VersionOf(view);
        TableName = TableNameOf(view);
        MeasureLayouts = view.Measures.Select(m => new SpeedMeasureLayout(m)).ToArray();
        var columns = new List<SpeedColumn>
        {
            new(KindColumn, "UInt8"),
            new(PartitionColumn, "UInt16"),
            new(FirstOffsetColumn, "Int64"),
            new(LastOffsetColumn, "Int64"),
            new(FlushedAtColumn, "DateTime"),
            new(FencingTokenColumn, "UInt64"),
            new(BucketColumn, "DateTime"),
        };
        // A derived dimension may be null (its own group): Nullable, allowed here as dimensions are not in the sort key.
        columns.AddRange(view.Dimensions.Select(d => new SpeedColumn(d.Name, d.IsNullable ? $"Nullable({SpeedColumnTypes.ValueType(d.Type)})" : SpeedColumnTypes.ValueType(d.Type))));
        foreach (var layout in MeasureLayouts)
        {
            columns.AddRange(layout.Columns);
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (column, index) in columns.Select((c, i) => (c, i)))
        {
            var owner = index < FixedColumnNames.Length ? "a platform column"
                : index < FixedColumnNames.Length + view.Dimensions.Count ? $"dimension '{column.Name}'"
                : $"a column of measure '{MeasureLayouts.First(l => l.Columns.Contains(column)).Measure.Name}'";
            if (!seen.TryAdd(column.Name, owner))
            {
                throw new ArgumentException(
                    $"view '{view.Name}': speed-table column '{column.Name}' of {owner} clashes with {seen[column.Name]}; rename the dimension or measure",
                    nameof(view));
            }
        }

        Columns = columns;
        ColumnNames = columns.Select(c => c.Name).ToArray();
        GroupColumns = columns.Skip(FixedColumnNames.Length - 1).ToArray();
    }

    /// <summary>The view.</summary>
    public ViewDefinition View { get; }

    /// <summary>The table version: the first 8 hex digits of the view's definition hash.</summary>
    public string Version { get; }

    /// <summary><c>speed_&lt;view&gt;_&lt;hash8&gt;</c>.</summary>
    public string TableName { get; }

    /// <summary>
    /// Name of the speed-only analyst view (a ClickHouse VIEW over the delta rows of the current version): <c>&lt;view&gt;_speed</c>.
    /// The view's own name belongs to the batch layer's exact view (batch ⊕ speed at the watermarks; README "SQL for analysts").
    /// </summary>
    public string AnalystViewName => View.Name + "_speed";

    /// <summary>Every column in table (and insert) order.</summary>
    public IReadOnlyList<SpeedColumn> Columns { get; }

    /// <summary>The column names in table order.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>
    /// The columns that hold one group of the view, in table order: <c>bucket</c>, the dimensions, then the
    /// measure columns (every column after <c>flushed_at</c>). Other ClickHouse tables of view groups (the
    /// batch layer's batch tables) use exactly these columns and <see cref="WriteGroup"/>, so their rows hold
    /// the same types and bytes as the speed rows and analysts can <c>UNION ALL</c> the two.
    /// </summary>
    public IReadOnlyList<SpeedColumn> GroupColumns { get; }

    internal IReadOnlyList<SpeedMeasureLayout> MeasureLayouts { get; }

    /// <summary>The schema of <paramref name="view"/> (cached per definition object).</summary>
    /// <exception cref="ArgumentException">Two columns would share a name (e.g. a dimension called <c>partition</c>, or a measure <c>x</c> beside a dimension <c>x_present</c>).</exception>
    public static SpeedTableSchema For(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return Cache.GetValue(view, v => new SpeedTableSchema(v));
    }

    /// <summary>The version of a view's table: the first 8 hex digits of its definition hash.</summary>
    public static string VersionOf(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.DefinitionHash[..8];
    }

    /// <summary>The table name of a view's current definition: <c>speed_&lt;view&gt;_&lt;hash8&gt;</c>.</summary>
    public static string TableNameOf(ViewDefinition view) => TablePrefix + view.Name + "_" + VersionOf(view);

    /// <summary>DDL of the metadata table (<see cref="MetadataTable"/>), idempotent.</summary>
    public static string CreateMetadataTableSql(string database) =>
        $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(database, MetadataTable)} "
        + "(view String, version String, table String, definition String, created DateTime) "
        + "ENGINE = ReplacingMergeTree() ORDER BY (view, version)";

    /// <summary>Writes <paramref name="group"/> in RowBinary in <see cref="GroupColumns"/> order.</summary>
    /// <exception cref="ArgumentException">The group belongs to another definition of the view, or holds states of other measures.</exception>
    /// <exception cref="OverflowException">A sum does not fit its 64-bit column.</exception>
    public void WriteGroup(RowBinaryWriter writer, ViewGroup group)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(group);
        SpeedRowWriter.ValidateGroup(this, group);
        SpeedRowWriter.WriteGroupColumns(writer, this, group);
    }

    /// <summary>DDL of the speed table, idempotent.</summary>
    public string CreateTableSql(string database)
    {
        var sb = new StringBuilder("CREATE TABLE IF NOT EXISTS ").Append(ClickHouseSql.QualifiedName(database, TableName)).Append(" (");
        for (var i = 0; i < Columns.Count; i++)
        {
            sb.Append(i == 0 ? string.Empty : ", ").Append(ClickHouseSql.QuoteIdentifier(Columns[i].Name)).Append(' ').Append(Columns[i].Type);
        }

        return sb.Append(") ENGINE = MergeTree() PARTITION BY tuple() ORDER BY (")
            .Append(ClickHouseSql.QuoteIdentifier(PartitionColumn)).Append(", ").Append(ClickHouseSql.QuoteIdentifier(LastOffsetColumn))
            .Append(") SETTINGS index_granularity = ").Append(IndexGranularity).ToString();
    }

    /// <summary>
    /// Adds <c>fencing_token</c> (default 0) to a table created before fencing existed, at the place a new table has it, so
    /// both have the same columns in the same order; their rows count as token 0.
    /// </summary>
    public string AddFencingTokenColumnSql(string database) =>
        $"ALTER TABLE {ClickHouseSql.QualifiedName(database, TableName)} ADD COLUMN {ClickHouseSql.QuoteIdentifier(FencingTokenColumn)} UInt64 DEFAULT 0 "
        + $"AFTER {ClickHouseSql.QuoteIdentifier(FlushedAtColumn)}";

    /// <summary>
    /// DDL of the analyst view: the delta rows (kind 0) of this version, bucket and dimensions first,
    /// then the measure columns, then the Kafka range and flush time.
    /// </summary>
    public string CreateAnalystViewSql(string database)
    {
        var columns = Columns.Skip(FixedColumnNames.Length - 1)
            .Concat(Columns.Skip(1).Take(FixedColumnNames.Length - 2))
            .Select(c => ClickHouseSql.QuoteIdentifier(c.Name));
        return $"CREATE VIEW {ClickHouseSql.QualifiedName(database, AnalystViewName)} AS SELECT {string.Join(", ", columns)} "
            + $"FROM {ClickHouseSql.QualifiedName(database, TableName)} WHERE {ClickHouseSql.QuoteIdentifier(KindColumn)} = {(byte)SpeedRowKind.Delta}";
    }

    /// <inheritdoc/>
    public override string ToString() => TableName;
}
