using Lambda.Shared.Catalog;
using Parquet;
using Parquet.Schema;

namespace Lambda.Shared.Schema;

/// <summary>
/// The archived schema of a source whose master dataset predates <c>_schema.json</c>: read from the newest of its
/// Parquet files (the archiver writes every declared field as a column, see the batch layer's <c>MasterFileSchema</c>),
/// so that a dataset archived before this check is checked too.
/// </summary>
internal static class ParquetSchemaInference
{
    /// <summary>The master dataset's own columns, which are not fields.</summary>
    private static readonly string[] PlatformColumns = ["event_time", "kafka_partition", "kafka_offset"];

    /// <summary>The schema of the newest data file of <paramref name="source"/>, or null when it has none.</summary>
    public static async Task<ArchivedSchema?> InferAsync(string root, string source, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetFullPath(root), "master", source);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var newest = new DirectoryInfo(directory).EnumerateFiles("*.parquet", SearchOption.AllDirectories)
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .FirstOrDefault();
        if (newest is null)
        {
            return null;
        }

        await using var reader = await ParquetReader.CreateAsync(newest.FullName, cancellationToken: cancellationToken).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields()
            .Where(f => !PlatformColumns.Contains(f.Name, StringComparer.Ordinal))
            .Select(f => new ArchivedField(f.Name, TypeOf(f, newest.FullName), f.IsNullable, null))
            .ToArray();
        return new ArchivedSchema(source, fields);
    }

    private static string TypeOf(DataField field, string path)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        return field switch
        {
            DecimalDataField d => FieldType.Decimal(d.Precision, d.Scale).ToString(),
            _ when type == typeof(string) || type == typeof(ReadOnlyMemory<char>) => FieldType.String.ToString(),
            _ when type == typeof(long) => FieldType.Long.ToString(),
            _ when type == typeof(double) => FieldType.Double.ToString(),
            _ when type == typeof(bool) => FieldType.Bool.ToString(),
            _ when type == typeof(DateTime) => FieldType.Timestamp.ToString(),
            _ => throw new InvalidDataException($"'{path}': column '{field.Name}' has type {field.ClrType}, which no catalog type maps to"),
        };
    }
}
