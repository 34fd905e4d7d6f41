using System.Text.Json;
using System.Text.Json.Serialization;
using Lambda.Shared.BatchViews;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Retention;

/// <summary>
/// <c>views/.superseded.json</c>: per run directory the manifest does not name, since when (UTC) that is known.
/// Written only under the recompute lock, replaced atomically (temporary file, flush, rename).
/// </summary>
internal static class SupersededRunsRecord
{
    /// <summary>The record's file name in the views directory.</summary>
    public const string FileName = ".superseded.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The record's absolute path.</summary>
    public static string PathOf(string root) => Path.Combine(BatchViewLayout.ViewsDirectory(root), FileName);

    /// <summary>
    /// Reads the record. A missing record is empty. An unreadable one is logged and treated as empty: every
    /// unnamed run then counts as unnamed from now on, which only delays deletions, never brings them forward.
    /// </summary>
    public static async Task<Dictionary<string, DateTimeOffset>> LoadAsync(string root, ILogger logger, CancellationToken cancellationToken)
    {
        var path = PathOf(root);
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        }

        try
        {
            var file = JsonSerializer.Deserialize<RecordFile>(json, JsonOptions);
            if (file is { FormatVersion: RecordFile.CurrentFormatVersion, Runs: not null })
            {
                return new Dictionary<string, DateTimeOffset>(file.Runs, StringComparer.Ordinal);
            }

            logger.LogWarning(
                "Retention record {Path} has format version {FormatVersion} (this build reads {Supported}); runs not named by the manifest count as unnamed from now on",
                path, file?.FormatVersion, RecordFile.CurrentFormatVersion);
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "Retention record {Path} is not valid JSON; runs not named by the manifest count as unnamed from now on", path);
        }

        return new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
    }

    /// <summary>Replaces the record atomically.</summary>
    public static async Task SaveAsync(string root, IReadOnlyDictionary<string, DateTimeOffset> runs, CancellationToken cancellationToken)
    {
        var path = PathOf(root);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                var file = new RecordFile { Runs = new SortedDictionary<string, DateTimeOffset>(runs.ToDictionary(), StringComparer.Ordinal) };
                await JsonSerializer.SerializeAsync(stream, file, JsonOptions, cancellationToken).ConfigureAwait(false);
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

    private sealed class RecordFile
    {
        public const int CurrentFormatVersion = 1;

        public int FormatVersion { get; init; } = CurrentFormatVersion;

        public IDictionary<string, DateTimeOffset>? Runs { get; init; }
    }
}
