namespace Lambda.Shared.BatchViews;

/// <summary>
/// The manifest of the published batch views (<c>views/manifest.json</c>), replaced atomically by every
/// publishing run. Readers load it once per query and read only the files it names, so a query never sees
/// half a batch.
/// </summary>
public sealed record BatchManifest
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The manifest format version.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The run that published this manifest.</summary>
    public required string RunId { get; init; }

    /// <summary>When it was published (UTC).</summary>
    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>The published views by name.</summary>
    public required IReadOnlyDictionary<string, BatchViewEntry> Views { get; init; }

    /// <summary>The entry of view <paramref name="name"/>, or null when it has never been published.</summary>
    public BatchViewEntry? FindView(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Views.TryGetValue(name, out var entry) ? entry : null;
    }
}
