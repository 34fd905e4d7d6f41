using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// The ClickHouse table that holds one view version's batch rows for analysts:
/// <c>batch_&lt;view&gt;_&lt;hash8&gt;</c>, MergeTree partitioned by UTC day (<c>toDate(bucket)</c> over a
/// <c>DateTime('UTC')</c> bucket), so a day is replaced atomically with <c>REPLACE PARTITION</c>.
/// </summary>
/// <remarks>
/// Columns, in order: <c>bucket DateTime('UTC')</c>; one per dimension, named after it
/// (string→String, long→Int64, double→Float64, decimal(p,s)→Decimal(p,s), bool→UInt8,
/// timestamp→DateTime('UTC')); then per measure the finalised columns of the speed tables:
/// count→<c>m UInt64</c>; sum→<c>m</c> (Int64, Float64 or Decimal(18,s));
/// min/max→<c>m</c> typed like the field plus <c>m_present UInt8</c>;
/// avg→<c>m_sum</c>, <c>m_count UInt64</c>, <c>m Float64</c>;
/// distinct→<c>m UInt64</c> (estimate) and <c>m_state String</c> (the serialised measure state,
/// <see cref="MeasureState.ToBytes"/>, readable with <see cref="MeasureState.Read"/>).
/// </remarks>
public sealed class BatchTable
{
    private readonly ViewDefinition _view;

    private BatchTable(ViewDefinition view)
    {
        _view = view;
        Name = TableName(view);
        Columns = BuildColumns(view);
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The view whose rows the table holds.</summary>
    public ViewDefinition View => _view;

    /// <summary>The columns in table order.</summary>
    public IReadOnlyList<BatchTableColumn> Columns { get; }

    /// <summary>The version in the name: the first 8 hex digits of the view's definition hash.</summary>
    public string Version => _view.DefinitionHash[..8];

    /// <summary>The batch table of <paramref name="view"/>'s current definition.</summary>
    public static BatchTable For(ViewDefinition view) => new(view ?? throw new ArgumentNullException(nameof(view)));

    /// <summary><c>batch_&lt;view&gt;_&lt;hash8&gt;</c>.</summary>
    public static string TableName(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return $"batch_{view.Name}_{view.DefinitionHash[..8]}";
    }

    /// <summary>The ClickHouse type of a dimension or field of <paramref name="type"/>.</summary>
    public static string ClickHouseType(FieldType type) => type.Kind switch
    {
        FieldKind.String => "String",
        FieldKind.Long => "Int64",
        FieldKind.Double => "Float64",
        FieldKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"Decimal({type.Precision},{type.Scale})"),
        FieldKind.Bool => "UInt8",
        FieldKind.Timestamp => "DateTime('UTC')",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown field type."),
    };

    /// <summary><c>CREATE TABLE IF NOT EXISTS</c> for the table, in <paramref name="database"/>.</summary>
    public string CreateTableSql(string database)
    {
        var columns = string.Join(", ", Columns.Select(c => $"{ClickHouseSql.QuoteIdentifier(c.Name)} {c.Type}"));
        var key = string.Join(", ", new[] { "bucket" }.Concat(_view.Dimensions.Select(d => d.Name)).Select(ClickHouseSql.QuoteIdentifier));
        return $"CREATE TABLE IF NOT EXISTS {ClickHouseSql.QualifiedName(database, Name)} ({columns}) "
            + $"ENGINE = MergeTree PARTITION BY toDate(bucket) ORDER BY ({key})";
    }

    /// <summary>Writes one row in RowBinary, in <see cref="Columns"/> order.</summary>
    /// <exception cref="OverflowException">A sum does not fit its column.</exception>
    public void WriteRow(RowBinaryWriter writer, BatchViewRow row)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(row);
        if (row.Dimensions.Count != _view.Dimensions.Count || row.States.Count != _view.Measures.Count)
        {
            throw new ArgumentException(
                $"The row has {row.Dimensions.Count} dimensions and {row.States.Count} measures; view '{_view.Name}' has {_view.Dimensions.Count} and {_view.Measures.Count}.",
                nameof(row));
        }

        writer.WriteUInt32(ToSeconds(row.BucketMilliseconds));
        for (var d = 0; d < row.Dimensions.Count; d++)
        {
            WriteField(writer, row.Dimensions[d], _view.Dimensions[d].Type);
        }

        for (var m = 0; m < row.States.Count; m++)
        {
            WriteMeasure(writer, _view.Measures[m], row.States[m]);
        }
    }

    private static List<BatchTableColumn> BuildColumns(ViewDefinition view)
    {
        var columns = new List<BatchTableColumn> { new("bucket", "DateTime('UTC')") };
        columns.AddRange(view.Dimensions.Select(d => new BatchTableColumn(d.Name, ClickHouseType(d.Type))));
        foreach (var measure in view.Measures)
        {
            var field = measure.FieldType;
            switch (measure.Kind)
            {
                case MeasureKind.Count:
                    columns.Add(new(measure.Name, "UInt64"));
                    break;
                case MeasureKind.Sum:
                    columns.Add(new(measure.Name, SumType(field!.Value)));
                    break;
                case MeasureKind.Min or MeasureKind.Max:
                    columns.Add(new(measure.Name, ClickHouseType(field!.Value)));
                    columns.Add(new(measure.Name + "_present", "UInt8"));
                    break;
                case MeasureKind.Avg:
                    columns.Add(new(measure.Name + "_sum", SumType(field!.Value)));
                    columns.Add(new(measure.Name + "_count", "UInt64"));
                    columns.Add(new(measure.Name, "Float64"));
                    break;
                case MeasureKind.Distinct:
                    columns.Add(new(measure.Name, "UInt64"));
                    columns.Add(new(measure.Name + "_state", "String"));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(view), measure.Kind, $"Unknown measure kind of {measure}.");
            }
        }

        return columns;
    }

    private static string SumType(FieldType field) => field.Kind switch
    {
        FieldKind.Long => "Int64",
        FieldKind.Double => "Float64",
        FieldKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"Decimal(18,{field.Scale})"),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "A sum needs a long, double or decimal field."),
    };

    private static void WriteField(RowBinaryWriter writer, FieldValue value, FieldType type)
    {
        switch (type.Kind)
        {
            case FieldKind.String:
                writer.WriteString(value.AsString());
                break;
            case FieldKind.Long:
                writer.WriteInt64(value.RawBits);
                break;
            case FieldKind.Double:
                writer.WriteFloat64(value.AsDouble());
                break;
            case FieldKind.Decimal:
                WriteUnscaledDecimal(writer, value.RawBits, type.Precision);
                break;
            case FieldKind.Bool:
                writer.WriteUInt8(value.RawBits != 0 ? (byte)1 : (byte)0);
                break;
            case FieldKind.Timestamp:
                writer.WriteUInt32(ToSeconds(value.RawBits));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown field type.");
        }
    }

    private static void WriteMeasure(RowBinaryWriter writer, MeasureDefinition measure, MeasureState state)
    {
        switch (state)
        {
            case CountState count:
                writer.WriteUInt64(checked((ulong)count.Count));
                break;
            case ExactSumState sum:
                writer.WriteInt64(ToInt64(sum.UnscaledSum, measure));
                break;
            case DoubleSumState sum:
                writer.WriteFloat64(sum.Sum);
                break;
            case ExactExtremumState extremum:
                WriteExactExtremum(writer, extremum, measure.FieldType!.Value);
                writer.WriteUInt8(extremum.HasValue ? (byte)1 : (byte)0);
                break;
            case DoubleExtremumState extremum:
                writer.WriteFloat64(extremum.HasValue ? extremum.Value : 0d);
                writer.WriteUInt8(extremum.HasValue ? (byte)1 : (byte)0);
                break;
            case ExactAvgState avg:
                writer.WriteInt64(ToInt64(avg.UnscaledSum, measure));
                writer.WriteUInt64(checked((ulong)avg.Count));
                writer.WriteFloat64(avg.Count == 0 ? 0d : avg.GetValue().ToDouble());
                break;
            case DoubleAvgState avg:
                writer.WriteFloat64(avg.Sum);
                writer.WriteUInt64(checked((ulong)avg.Count));
                writer.WriteFloat64(avg.Count == 0 ? 0d : avg.Sum / avg.Count);
                break;
            case DistinctState distinct:
                writer.WriteUInt64(checked((ulong)distinct.GetValue().AsLong()));
                writer.WriteString(distinct.ToBytes());
                break;
            default:
                throw new ArgumentException($"Measure '{measure.Name}' has an unexpected state type {state.GetType().Name}.", nameof(state));
        }
    }

    private static void WriteExactExtremum(RowBinaryWriter writer, ExactExtremumState state, FieldType type)
    {
        var raw = state.HasValue ? state.RawValue : 0L;
        switch (type.Kind)
        {
            case FieldKind.Long:
                writer.WriteInt64(raw);
                break;
            case FieldKind.Decimal:
                WriteUnscaledDecimal(writer, raw, type.Precision);
                break;
            case FieldKind.Timestamp:
                writer.WriteUInt32(ToSeconds(raw));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "An exact min/max needs a long, decimal or timestamp field.");
        }
    }

    private static void WriteUnscaledDecimal(RowBinaryWriter writer, long unscaled, int precision)
    {
        // ClickHouse stores Decimal(p,s) in 4 bytes up to 9 digits and in 8 bytes up to 18.
        if (precision <= 9)
        {
            writer.WriteInt32(checked((int)unscaled));
        }
        else
        {
            writer.WriteInt64(unscaled);
        }
    }

    private static long ToInt64(Int128 value, MeasureDefinition measure) =>
        value >= long.MinValue && value <= long.MaxValue
            ? (long)value
            : throw new OverflowException($"The sum of measure '{measure.Name}' ({measure.Expression}) does not fit a 64-bit column.");

    private static uint ToSeconds(long epochMilliseconds)
    {
        var seconds = Math.DivRem(epochMilliseconds, 1000L, out var remainder);
        if (remainder < 0)
        {
            seconds--;
        }

        return seconds is >= 0 and <= uint.MaxValue
            ? (uint)seconds
            : throw new ArgumentOutOfRangeException(nameof(epochMilliseconds), epochMilliseconds, "A ClickHouse DateTime lies between 1970-01-01 and 2106-02-07 UTC.");
    }
}
