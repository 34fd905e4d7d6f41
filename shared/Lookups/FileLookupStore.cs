using System.Globalization;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.Shared.Lookups;

/// <summary>
/// Lookup versions as files beside the master dataset: <c>&lt;root&gt;/lookups/&lt;name&gt;/v000001.json</c>, ... (each
/// written once to a temporary name and renamed, never changed) and <c>CURRENT</c>, the number of the current version,
/// replaced atomically (temporary file + rename) after the version file exists. A reader therefore sees the old or the
/// new version, never a half-written one; a refused publish writes nothing. Publishes are serialised by an exclusive
/// lock file, across processes too.
/// </summary>
public sealed class FileLookupStore(string datasetRoot, TimeProvider time) : ILookupReader, ILookupPublisher
{
    /// <summary>The folder under the dataset root that holds the lookups.</summary>
    public const string FolderName = "lookups";

    /// <summary>The pointer file's name.</summary>
    public const string CurrentFileName = "CURRENT";

    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);

    /// <summary>The folder of lookup <paramref name="name"/>.</summary>
    public string FolderOf(string name) => Path.Combine(datasetRoot, FolderName, name);

    /// <summary>The file of version <paramref name="version"/>.</summary>
    public string FileOf(string name, long version) => Path.Combine(FolderOf(name), $"v{version.ToString("D6", CultureInfo.InvariantCulture)}.json");

    /// <inheritdoc/>
    public async Task<long?> CurrentVersionAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(FolderOf(name), CurrentFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var text = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InvalidDataException($"lookup '{name}': {path} does not hold a version number");
    }

    /// <inheritdoc/>
    public async Task<LookupTable?> ReadVersionAsync(LookupDefinition lookup, long version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var path = FileOf(lookup.Name, version);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return LookupVersionFile.Parse(lookup, version, bytes);
    }

    /// <inheritdoc/>
    public Task<LookupSnapshot> ReadSnapshotAsync(LambdaCatalog catalog, CancellationToken cancellationToken) =>
        LookupSnapshots.ReadCurrentAsync(this, catalog, cancellationToken);

    /// <inheritdoc/>
    public async Task<LookupTable> PublishAsync(LookupDefinition lookup, IReadOnlyList<LookupRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(rows);
        var folder = FolderOf(lookup.Name);
        Directory.CreateDirectory(folder);
        var publishedAt = time.GetUtcNow();
        await using var gate = await AcquireLockAsync(folder, cancellationToken).ConfigureAwait(false);
        var version = (await CurrentVersionAsync(lookup.Name, cancellationToken).ConfigureAwait(false) ?? 0) + 1;
        while (File.Exists(FileOf(lookup.Name, version)))
        {
            // A version file without its CURRENT update (a crash between the two writes) stays as it is: never reuse a number.
            version++;
        }

        // Validates the rows (types, duplicates) before anything is written.
        var table = new LookupTable(lookup, version, publishedAt, rows);
        var target = FileOf(lookup.Name, version);
        var temporary = target + ".tmp-" + Guid.NewGuid().ToString("N");
        await File.WriteAllBytesAsync(temporary, LookupVersionFile.Serialize(lookup, version, publishedAt, rows), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, target, overwrite: false);
        var pointer = Path.Combine(folder, CurrentFileName);
        var pointerTemporary = pointer + ".tmp-" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(pointerTemporary, version.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        File.Move(pointerTemporary, pointer, overwrite: true);
        return table;
    }

    private static async Task<FileStream> AcquireLockAsync(string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, ".publish.lock");
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive lock (flock on Unix) that another process's publish waits for.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
