using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;
using Parquet.Schema;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// The Parquet schema of a batch-view day file: <c>bucket</c> (timestamp millis, UTC), one column per
/// dimension typed like its field, per measure <c>&lt;m&gt;</c> (binary: the serialised measure state, what
/// readers merge) and <c>&lt;m&gt;_value</c> (the finalised value for people reading the files; null when
/// empty or not representable; for quantiles a JSON object such as <c>{"p50":12.5,"p90":…,"p95":…,"p99":…}</c>).
/// The batch layer writes the files, every layer reads them (<see cref="BatchViewReader"/>): this is the format they share.
/// </summary>
public sealed class BatchViewSchema
{
    /// <summary>The bucket column.</summary>
    public const string BucketColumn = "bucket";

    /// <summary>The suffix of a measure's finalised-value column.</summary>
    public const string ValueSuffix = "_value";

    /// <summary>File metadata key of the format name.</summary>
    public const string FormatKey = "lambda.format";

    /// <summary>The format name this build writes and reads.</summary>
    public const string FormatValue = "batch-view/1";

    /// <summary>File metadata key of the view name.</summary>
    public const string ViewKey = "lambda.view";

    /// <summary>File metadata key of the view's definition hash; readers refuse a file of another definition.</summary>
    public const string HashKey = "lambda.definition_hash";

    /// <summary>File metadata key of the view's canonical form (what the hash was computed over).</summary>
    public const string CanonicalFormKey = "lambda.canonical_form";

    /// <summary>File metadata key of the run that wrote the file.</summary>
    public const string RunIdKey = "lambda.run_id";

    /// <summary>File metadata key of the file's UTC day (yyyy-MM-dd).</summary>
    public const string DayKey = "lambda.day";

    /// <summary>The schema of <paramref name="view"/>'s files.</summary>
    /// <exception cref="ArgumentException">Two columns would have the same name.</exception>
    public BatchViewSchema(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        View = view;
        Bucket = ParquetColumns.Timestamp(BucketColumn);
        // A derived dimension may be null (its own group): its column is nullable.
        Dimensions = view.Dimensions.Select(d => ParquetColumns.Create(d.Name, d.Type, nullable: d.IsNullable)).ToArray();
        States = view.Measures.Select(m => (DataField)new DataField<byte[]>(m.Name, false)).ToArray();
        Values = view.Measures.Select(ValueField).ToArray();
        var fields = new List<Field> { Bucket };
        fields.AddRange(Dimensions);
        fields.AddRange(States);
        fields.AddRange(Values);
        var duplicate = fields.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException(
                $"view '{view.Name}': column '{duplicate.Key}' would appear twice in its batch-view files (a dimension or measure collides with '{BucketColumn}' or a '<measure>{ValueSuffix}' column)",
                nameof(view));
        }

        Schema = new ParquetSchema(fields);
    }

    /// <summary>The view.</summary>
    public ViewDefinition View { get; }

    /// <summary>The whole Parquet schema, in column order.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>The bucket column.</summary>
    public DateTimeDataField Bucket { get; }

    /// <summary>One column per dimension, in the view's order.</summary>
    public IReadOnlyList<DataField> Dimensions { get; }

    /// <summary>One state column per measure, in the view's order.</summary>
    public IReadOnlyList<DataField> States { get; }

    /// <summary>One finalised-value column per measure, in the view's order.</summary>
    public IReadOnlyList<DataField> Values { get; }

    private static DataField ValueField(MeasureDefinition measure)
    {
        var name = measure.Name + ValueSuffix;
        var type = measure.FieldType;
        return measure.ResultKind switch
        {
            MeasureValueKind.Long => new DataField<long?>(name),
            MeasureValueKind.Double => new DataField<double?>(name),
            MeasureValueKind.Timestamp => ParquetColumns.Timestamp(name, nullable: true),
            MeasureValueKind.Quantiles => new DataField<string>(name, true),
            MeasureValueKind.Decimal => measure.Kind switch
            {
                MeasureKind.Sum => new DecimalDataField(name, 38, type!.Value.Scale, isNullable: true),
                MeasureKind.Avg => new DecimalDataField(name, 38, type!.Value.Scale + ExactAvgState.ExtraScale, isNullable: true),
                _ => new DecimalDataField(name, type!.Value.Precision, type.Value.Scale, isNullable: true),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(measure), measure.ResultKind, $"measure '{measure.Name}' has no final value type"),
        };
    }
}
