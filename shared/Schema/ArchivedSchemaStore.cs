using System.Text.Json;
using Lambda.Shared.Catalog;

namespace Lambda.Shared.Schema;

/// <summary>
/// Reads and writes the archived schema of each source (<c>&lt;dataset root&gt;/master/&lt;source&gt;/_schema.json</c>)
/// and checks a catalog against it. The archiver records the schema at start (<see cref="CheckAndRecordAsync"/>); the
/// batch and speed layers only check (<see cref="CheckAsync"/>). A source without a record is checked against the
/// schema of its newest data file; one that has archived nothing is compatible with any catalog.
/// </summary>
public static class ArchivedSchemaStore
{
    /// <summary>The file name of a source's record, beside its <c>_commits</c> directory.</summary>
    public const string FileName = "_schema.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    /// <summary>The absolute path of <paramref name="source"/>'s record under the dataset root.</summary>
    public static string PathOf(string root, string source) => Path.Combine(Path.GetFullPath(root), "master", source, FileName);

    /// <summary>The recorded schema of <paramref name="source"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The record is not valid JSON of a schema of that source.</exception>
    public static ArchivedSchema? Read(string root, string source)
    {
        var path = PathOf(root, source);
        if (!File.Exists(path))
        {
            return null;
        }

        ArchivedSchema? schema;
        try
        {
            schema = JsonSerializer.Deserialize<ArchivedSchema>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the archived schema '{path}' is not valid: {ex.Message}", ex);
        }

        return schema is not null && string.Equals(schema.Source, source, StringComparison.Ordinal) && schema.Fields is not null
            ? schema
            : throw new InvalidDataException($"the archived schema '{path}' is not a schema of source '{source}'");
    }

    /// <summary>Writes <paramref name="schema"/> atomically (a temporary file renamed into place).</summary>
    public static async Task WriteAsync(string root, ArchivedSchema schema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var path = PathOf(root, schema.Source);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await JsonSerializer.SerializeAsync(stream, schema, JsonOptions, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// The recorded schema of <paramref name="source"/>; without a record, the schema of its newest data file (a
    /// dataset archived before records existed); null when it has archived nothing.
    /// </summary>
    public static async Task<ArchivedSchema?> ReadOrInferAsync(string root, string source, CancellationToken cancellationToken) =>
        Read(root, source) ?? await ParquetSchemaInference.InferAsync(root, source, cancellationToken).ConfigureAwait(false);

    /// <summary>Checks every source of <paramref name="sources"/> that has archived something.</summary>
    /// <exception cref="SchemaIncompatibleException">Some change is incompatible; lists all.</exception>
    public static async Task CheckAsync(string root, IEnumerable<SourceDefinition> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var problems = new List<string>();
        foreach (var source in sources)
        {
            if (await ReadOrInferAsync(root, source.Name, cancellationToken).ConfigureAwait(false) is { } archived)
            {
                problems.AddRange(SchemaCompatibility.Check(source, archived));
            }
        }

        if (problems.Count > 0)
        {
            throw new SchemaIncompatibleException(problems);
        }
    }

    /// <summary>
    /// Checks <paramref name="sources"/>, then records their declared fields (merged with what was archived before)
    /// where that changes the record: what an archiver does before writing anything.
    /// </summary>
    /// <exception cref="SchemaIncompatibleException">Some change is incompatible; lists all, and nothing is recorded.</exception>
    public static async Task CheckAndRecordAsync(string root, IReadOnlyList<SourceDefinition> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        await CheckAsync(root, sources, cancellationToken).ConfigureAwait(false);
        foreach (var source in sources)
        {
            var archived = await ReadOrInferAsync(root, source.Name, cancellationToken).ConfigureAwait(false);
            var merged = SchemaCompatibility.Merge(source, archived);
            if (archived is null || !merged.Fields.SequenceEqual(archived.Fields))
            {
                await WriteAsync(root, merged, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
