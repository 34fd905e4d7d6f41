using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;

namespace Lambda.Shared.SpeedViews;

/// <summary>The columns one measure takes in a speed table (docs/design-notes.md, "ClickHouse speed tables").</summary>
internal sealed class SpeedMeasureLayout
{
    public SpeedMeasureLayout(MeasureDefinition measure)
    {
        Measure = measure;
        var name = measure.Name;
        var field = measure.FieldType;
        switch (measure.Kind)
        {
            case MeasureKind.Count:
                Columns = [new SpeedColumn(name, "UInt64")];
                ReadColumns = [name];
                break;
            case MeasureKind.Sum:
                Columns = [new SpeedColumn(name, SpeedColumnTypes.SumType(field!.Value))];
                ReadColumns = [name];
                break;
            case MeasureKind.Min or MeasureKind.Max:
                Columns = [new SpeedColumn(name, SpeedColumnTypes.ValueType(field!.Value)), new SpeedColumn(name + "_present", "UInt8")];
                ReadColumns = [name, name + "_present"];
                break;
            case MeasureKind.Avg:
                Columns =
                [
                    new SpeedColumn(name + "_sum", SpeedColumnTypes.SumType(field!.Value)),
                    new SpeedColumn(name + "_count", "UInt64"),
                    new SpeedColumn(name, "Float64"),
                ];
                ReadColumns = [name + "_sum", name + "_count"];
                break;
            case MeasureKind.Distinct:
                Columns = [new SpeedColumn(name, "UInt64"), new SpeedColumn(name + "_state", "String")];
                ReadColumns = [name + "_state"];
                break;
            case MeasureKind.Quantiles:
                // The per-row estimates are for analysts; readers rebuild the state from the sketch alone.
                Columns =
                [
                    .. QuantileValue.Defaults.Select(q => new SpeedColumn(QuantileColumn(name, q), "Float64")),
                    new SpeedColumn(name + "_state", "String"),
                ];
                ReadColumns = [name + "_state"];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(measure), measure.Kind, $"measure '{name}': unknown kind");
        }
    }

    public MeasureDefinition Measure { get; }

    /// <summary>The column of one estimated quantile of a quantiles measure: <c>m_p50</c>, <c>m_p99</c>.</summary>
    public static string QuantileColumn(string measure, double quantile) => measure + "_" + QuantileValue.LabelOf(quantile);

    /// <summary>The columns in table order.</summary>
    public IReadOnlyList<SpeedColumn> Columns { get; }

    /// <summary>The columns a reader needs to rebuild the state (finalised values are not read back).</summary>
    public IReadOnlyList<string> ReadColumns { get; }
}
