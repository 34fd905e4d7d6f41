using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Parquet;
using Parquet.Schema;

namespace Lambda.BatchLayer.Tests.Loading;

/// <summary>
/// Writes batch-view Parquet files in the design notes' layout (bucket timestamp millis UTC, one
/// column per dimension, one binary state column per measure, plus a finalised text column per
/// measure that readers must ignore), standing in for the engine's writer in tests.
/// </summary>
internal static class BatchViewTestFiles
{
    public static async Task WriteAsync(string path, ViewDefinition view, IReadOnlyList<ViewGroup> groups)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bucket = new DateTimeDataField("bucket", DateTimeFormat.DateAndTime, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false);
        var dimensionFields = view.Dimensions.Select(DimensionField).ToArray();
        var stateFields = view.Measures.Select(m => new DataField<byte[]>(m.Name, nullable: false)).ToArray();
        var finalFields = view.Measures.Select(m => new DataField<string>(m.Name + "_final", nullable: false)).ToArray();
        var schema = new ParquetSchema(new Field[] { bucket }.Concat(dimensionFields).Concat(stateFields).Concat(finalFields).ToArray());

        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var rowGroup = writer.CreateRowGroup();
        await rowGroup.WriteAsync<DateTime>(bucket, groups.Select(g => g.BucketStart.UtcDateTime).ToArray());
        for (var d = 0; d < dimensionFields.Length; d++)
        {
            var i = d;
            var type = view.Dimensions[d].Type;
            var values = groups.Select(g => g.Dimensions[i]).ToArray();
            switch (type.Kind)
            {
                case FieldKind.String:
                    await rowGroup.WriteAsync(dimensionFields[d], values.Select(v => v.AsString()).ToArray());
                    break;
                case FieldKind.Long:
                    await rowGroup.WriteAsync<long>(dimensionFields[d], values.Select(v => v.AsLong()).ToArray());
                    break;
                case FieldKind.Double:
                    await rowGroup.WriteAsync<double>(dimensionFields[d], values.Select(v => v.AsDouble()).ToArray());
                    break;
                case FieldKind.Decimal:
                    await rowGroup.WriteAsync<decimal>(dimensionFields[d], values.Select(v => v.AsDecimal()).ToArray());
                    break;
                case FieldKind.Bool:
                    await rowGroup.WriteAsync<bool>(dimensionFields[d], values.Select(v => v.AsBool()).ToArray());
                    break;
                case FieldKind.Timestamp:
                    await rowGroup.WriteAsync<DateTime>(dimensionFields[d], values.Select(v => DateTimeOffset.FromUnixTimeMilliseconds(v.RawBits).UtcDateTime).ToArray());
                    break;
                default:
                    throw new InvalidOperationException($"no test writer for {type}");
            }
        }

        for (var m = 0; m < stateFields.Length; m++)
        {
            var i = m;
            await rowGroup.WriteAsync(stateFields[m], groups.Select(g => g.States[i].ToBytes()).ToArray());
        }

        for (var m = 0; m < finalFields.Length; m++)
        {
            var i = m;
            await rowGroup.WriteAsync(finalFields[m], groups.Select(g => g.GetValue(i).ToString()).ToArray());
        }
    }

    private static DataField DimensionField(FieldDefinition field) => field.Type.Kind switch
    {
        FieldKind.String => new DataField<string>(field.Name, nullable: false),
        FieldKind.Long => new DataField<long>(field.Name, nullable: false),
        FieldKind.Double => new DataField<double>(field.Name, nullable: false),
        FieldKind.Decimal => new DecimalDataField(field.Name, field.Type.Precision, field.Type.Scale, isNullable: false),
        FieldKind.Bool => new DataField<bool>(field.Name, nullable: false),
        FieldKind.Timestamp => new DateTimeDataField(field.Name, DateTimeFormat.DateAndTime, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false),
        _ => throw new InvalidOperationException($"no test writer for {field.Type}"),
    };
}
