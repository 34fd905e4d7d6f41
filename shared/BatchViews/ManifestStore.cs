using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// The manifest on the local (or mounted) file system: <c>&lt;root&gt;/views/manifest.json</c>, published by
/// writing a uniquely named temporary file, flushing it to disk and renaming it over the old manifest (an
/// atomic replace on POSIX file systems), so readers see the old or the new manifest, never a mix.
/// </summary>
public sealed class ManifestStore : IManifestStore, IBatchViewFileStager
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Creates a store for the dataset root <paramref name="root"/>.</summary>
    public ManifestStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        ManifestPath = BatchViewLayout.ManifestPath(Root);
    }

    /// <inheritdoc/>
    public string Root { get; }

    /// <summary>The absolute manifest path.</summary>
    public string ManifestPath { get; }

    /// <summary>Serialises a manifest as the store writes it (indented camelCase JSON).</summary>
    public static string Serialize(BatchManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return JsonSerializer.Serialize(manifest, JsonOptions);
    }

    /// <summary>Parses and validates manifest JSON.</summary>
    /// <exception cref="InvalidDataException">Not a valid manifest; the message names the offending entry.</exception>
    public static BatchManifest Deserialize(string json, string origin = "manifest")
    {
        ArgumentNullException.ThrowIfNull(json);
        BatchManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BatchManifest>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{origin}: not a valid batch-view manifest: {ex.Message}", ex);
        }

        if (manifest is null)
        {
            throw new InvalidDataException($"{origin}: the manifest is empty (null)");
        }

        Validate(manifest, origin);
        return manifest;
    }

    /// <summary>Checks a manifest's internal consistency (not the files).</summary>
    /// <exception cref="InvalidDataException">The first problem found, naming its view and field.</exception>
    public static void Validate(BatchManifest manifest, string origin = "manifest")
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.FormatVersion != BatchManifest.CurrentFormatVersion)
        {
            throw new InvalidDataException(
                $"{origin}: formatVersion {manifest.FormatVersion} is not supported (this build reads {BatchManifest.CurrentFormatVersion})");
        }

        Check(() => BatchViewLayout.ValidateRunId(manifest.RunId), $"{origin}: runId");
        foreach (var (name, entry) in manifest.Views)
        {
            var path = $"{origin}: views.{name}";
            if (entry is null)
            {
                throw new InvalidDataException($"{path} is null");
            }

            if (!string.Equals(entry.View, name, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{path}.view is '{entry.View}', expected '{name}'");
            }

            if (string.IsNullOrEmpty(entry.Source))
            {
                throw new InvalidDataException($"{path}.source is empty");
            }

            if (entry.DefinitionHash is not { Length: >= 8 })
            {
                throw new InvalidDataException($"{path}.definitionHash '{entry.DefinitionHash}' is shorter than 8 characters");
            }

            Check(() => BatchViewLayout.ValidateRunId(entry.RunId), $"{path}.runId");
            if (entry.Watermarks is null || entry.Days is null)
            {
                throw new InvalidDataException($"{path}: watermarks and days are required");
            }

            foreach (var (partition, watermark) in entry.Watermarks)
            {
                if (partition < 0 || watermark < 0)
                {
                    throw new InvalidDataException($"{path}.watermarks: partition {partition} = {watermark}; both must be >= 0");
                }
            }

            DateOnly? previous = null;
            for (var i = 0; i < entry.Days.Count; i++)
            {
                var day = entry.Days[i];
                var dayPath = $"{path}.days[{i}]";
                if (day is null)
                {
                    throw new InvalidDataException($"{dayPath} is null");
                }

                if (previous is { } p && day.Day <= p)
                {
                    throw new InvalidDataException($"{dayPath}: day {day.Day:yyyy-MM-dd} is not after {p:yyyy-MM-dd}; days must be ascending and unique");
                }

                if (day.Rows < 0)
                {
                    throw new InvalidDataException($"{dayPath}.rows is negative");
                }

                Check(() => BatchViewLayout.Resolve("/", day.File), $"{dayPath}.file");
                Check(() => BatchViewLayout.ValidateRunId(day.RunId), $"{dayPath}.runId");
                previous = day.Day;
            }
        }
    }

    /// <inheritdoc/>
    public async Task<BatchManifest?> LoadAsync(CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = await File.ReadAllTextAsync(ManifestPath, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return Deserialize(json, ManifestPath);
    }

    /// <inheritdoc/>
    public async Task PublishAsync(BatchManifest manifest, string? expectedCurrentRunId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Validate(manifest, "new manifest");
        foreach (var entry in manifest.Views.Values)
        {
            foreach (var day in entry.Days)
            {
                var file = BatchViewLayout.Resolve(Root, day.File);
                if (!File.Exists(file))
                {
                    throw new InvalidDataException($"new manifest: view '{entry.View}' day {day.Day:yyyy-MM-dd} names '{day.File}', which does not exist");
                }
            }
        }

        var current = await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(current?.RunId, expectedCurrentRunId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"the published manifest is run '{current?.RunId ?? "(none)"}', not the expected '{expectedCurrentRunId ?? "(none)"}': another run published in between");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(ManifestPath)!);
        var temp = $"{ManifestPath}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await JsonSerializer.SerializeAsync(stream, manifest, JsonOptions, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, ManifestPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static void Check(Action validate, string path)
    {
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Instances of the local kind share the root: the file is already where the publish looks.</remarks>
    public Task StageAsync(string file, CancellationToken cancellationToken) => Task.CompletedTask;
}
