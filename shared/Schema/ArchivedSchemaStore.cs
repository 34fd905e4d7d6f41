using System.Text.Json;
using Lambda.Shared.Catalog;
using Lambda.Shared.Dataset;
using Lambda.Shared.Storage;
using Polly;
using Polly.Retry;

namespace Lambda.Shared.Schema;

/// <summary>
/// Reads and writes the archived schema of each source (object <c>master/&lt;source&gt;/_schema.json</c> of the storage:
/// on the local kind the file of that path under the dataset root, on the s3 kind an object in the bucket, so every
/// instance checks against the same record) and checks a catalog against it. The archiver records the schema at start
/// (<see cref="CheckAndRecordAsync"/>); the batch and speed layers only check (<see cref="CheckAsync"/>). A source
/// without a record is checked against the schema of its newest local data file; one that has archived nothing is
/// compatible with any catalog.
/// </summary>
public static class ArchivedSchemaStore
{
    /// <summary>The file name of a source's record, beside its <c>_commits</c> directory.</summary>
    public const string FileName = "_schema.json";

    /// <summary>
    /// A record that does not parse is read again a few times (50 ms, 100 ms, … at most 250 ms; about 1.75 s in all)
    /// before it is an error. Archivers starting together all write the record, and on a store whose writes are not
    /// atomic (the S3 emulator the stack runs writes an object's file in place) a reader can meet it half written. A
    /// real S3 PUT and the local kind's temp-and-rename are atomic, so there the first read is the only one.
    /// </summary>
    private static readonly ResiliencePipeline HalfWrittenReads = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<JsonException>(),
            MaxRetryAttempts = 9,
            BackoffType = DelayBackoffType.Linear,
            Delay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromMilliseconds(250),
            UseJitter = false,
        })
        .Build();

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    /// <summary>The key of <paramref name="source"/>'s record in the storage.</summary>
    public static string KeyOf(string source) => $"{MasterDatasetLayout.MasterDirectoryName}/{source}/{FileName}";

    /// <summary>The recorded schema of <paramref name="source"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The record is not valid JSON of a schema of that source.</exception>
    public static async Task<ArchivedSchema?> ReadAsync(IObjectStore store, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var key = KeyOf(source);
        (bool Found, ArchivedSchema? Schema) read;
        try
        {
            read = await HalfWrittenReads.ExecuteAsync(
                async token => await store.ReadAsync(key, token).ConfigureAwait(false) is { } json
                    ? (true, JsonSerializer.Deserialize<ArchivedSchema>(json, JsonOptions))
                    : (false, null),
                cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the archived schema '{store.Location}{key}' is not valid: {ex.Message}", ex);
        }

        if (!read.Found)
        {
            return null;
        }

        return read.Schema is { } schema && string.Equals(schema.Source, source, StringComparison.Ordinal) && schema.Fields is not null
            ? schema
            : throw new InvalidDataException($"the archived schema '{store.Location}{key}' is not a schema of source '{source}'");
    }

    /// <summary>Writes <paramref name="schema"/> as one object (a whole replacement on either kind).</summary>
    public static Task WriteAsync(IObjectStore store, ArchivedSchema schema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(schema);
        return store.PutAsync(KeyOf(schema.Source), JsonSerializer.SerializeToUtf8Bytes(schema, JsonOptions), cancellationToken);
    }

    /// <summary>
    /// The recorded schema of <paramref name="source"/>; without a record, the schema of its newest data file (a
    /// dataset archived before records existed, under the local <paramref name="root"/>); null when it has archived nothing.
    /// </summary>
    public static async Task<ArchivedSchema?> ReadOrInferAsync(IObjectStore store, string root, string source, CancellationToken cancellationToken) =>
        await ReadAsync(store, source, cancellationToken).ConfigureAwait(false)
        ?? await ParquetSchemaInference.InferAsync(root, source, cancellationToken).ConfigureAwait(false);

    /// <summary>Checks every source of <paramref name="sources"/> that has archived something.</summary>
    /// <exception cref="SchemaIncompatibleException">Some change is incompatible; lists all.</exception>
    public static async Task CheckAsync(IObjectStore store, string root, IEnumerable<SourceDefinition> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        await ReadAndCheckAsync(store, root, sources, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks <paramref name="sources"/>, then records their declared fields (merged with what was archived before)
    /// where that changes the record: what an archiver does before writing anything.
    /// </summary>
    /// <exception cref="SchemaIncompatibleException">Some change is incompatible; lists all, and nothing is recorded.</exception>
    public static async Task CheckAndRecordAsync(IObjectStore store, string root, IReadOnlyList<SourceDefinition> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        foreach (var (source, archived) in await ReadAndCheckAsync(store, root, sources, cancellationToken).ConfigureAwait(false))
        {
            var merged = SchemaCompatibility.Merge(source, archived);
            if (archived is null || !merged.Fields.SequenceEqual(archived.Fields))
            {
                await WriteAsync(store, merged, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Each source's archived schema, read once; throws with every incompatible change when there is one.
    private static async Task<List<(SourceDefinition Source, ArchivedSchema? Archived)>> ReadAndCheckAsync(
        IObjectStore store, string root, IEnumerable<SourceDefinition> sources, CancellationToken cancellationToken)
    {
        var read = new List<(SourceDefinition, ArchivedSchema?)>();
        var problems = new List<string>();
        foreach (var source in sources)
        {
            var archived = await ReadOrInferAsync(store, root, source.Name, cancellationToken).ConfigureAwait(false);
            if (archived is not null)
            {
                problems.AddRange(SchemaCompatibility.Check(source, archived));
            }

            read.Add((source, archived));
        }

        return problems.Count > 0 ? throw new SchemaIncompatibleException(problems) : read;
    }
}
