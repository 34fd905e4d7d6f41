using Lambda.BatchLayer.Recompute;
using Lambda.Shared.BatchViews;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Retention;

/// <summary>
/// Deletes the batch-view run directories (<c>views/&lt;view&gt;/&lt;hash8&gt;/run=&lt;runId&gt;</c>, of current
/// and of old view definitions) that the current manifest no longer names and that stopped being named longer
/// than the grace period ago, and temporary files an interrupted publish left behind. Nothing outside
/// <c>views/</c> and nothing holding a file the manifest names is ever deleted. When the manifest store keeps the
/// views in an object store (<see cref="IStoredViewsRetention"/>, the s3 kind), the same pass deletes the objects
/// there that no manifest superseded less than the grace period ago names, and those no manifest ever named
/// (uploaded by a publish killed before its commit) once they are older than the grace period.
/// </summary>
/// <remarks>
/// A run is deleted only after it has been unnamed by the manifest for the grace period, recorded in <c>views/.superseded.json</c>. The design is in <c>docs/design-notes.md</c>, "Retention".
/// </remarks>
public sealed class BatchViewRetention
{
    private const string RunPrefix = "run=";

    private readonly IManifestStore _manifests;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchViewRetention> _logger;

    /// <summary>Creates the retention of the dataset root of <paramref name="manifests"/>.</summary>
    public BatchViewRetention(IManifestStore manifests, IOptions<RetentionOptions> options, TimeProvider time, ILogger<BatchViewRetention> logger)
    {
        _manifests = manifests ?? throw new ArgumentNullException(nameof(manifests));
        Options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        if (RetentionOptionsValidator.CheckGracePeriod(Options.GracePeriod, $"{RetentionOptions.SectionName}:{nameof(RetentionOptions.GracePeriod)}") is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }
    }

    /// <summary>The configured options.</summary>
    public RetentionOptions Options { get; }

    /// <summary>The absolute dataset root.</summary>
    public string Root => _manifests.Root;

    /// <summary>
    /// Takes the dataset root's recompute lock and runs one pass: deletes what is due, or with
    /// <paramref name="dryRun"/> only reports it and changes nothing.
    /// </summary>
    /// <param name="dryRun">Report, delete nothing, record nothing.</param>
    /// <param name="gracePeriod">The grace period; null: <see cref="RetentionOptions.GracePeriod"/>.</param>
    /// <param name="cancellationToken">Stops the pass between deletions.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gracePeriod"/> is outside 0..365 days.</exception>
    /// <exception cref="InvalidOperationException">A recompute is running on this dataset root.</exception>
    /// <exception cref="InvalidDataException">The manifest is unreadable: nothing is deleted.</exception>
    public async Task<RetentionResult> RunAsync(bool dryRun, TimeSpan? gracePeriod, CancellationToken cancellationToken)
    {
        var grace = gracePeriod ?? Options.GracePeriod;
        if (RetentionOptionsValidator.CheckGracePeriod(grace, nameof(gracePeriod)) is { } error)
        {
            throw new ArgumentOutOfRangeException(nameof(gracePeriod), grace, error);
        }

        using var held = RecomputeLock.Acquire(Root);
        return await RunLockedAsync(dryRun ? RetentionMode.DryRun : RetentionMode.Delete, grace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one pass; the caller holds the recompute lock of <see cref="Root"/>.</summary>
    internal async Task<RetentionResult> RunLockedAsync(RetentionMode mode, TimeSpan grace, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var manifest = await _manifests.LoadAsync(cancellationToken).ConfigureAwait(false);
        var named = NamedDirectories(manifest);
        var record = await SupersededRunsRecord.LoadAsync(Root, _logger, cancellationToken).ConfigureAwait(false);
        var next = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var items = new List<RetentionItem>();
        var namedRuns = 0;
        var views = BatchViewLayout.ViewsDirectory(Root);

        foreach (var (relative, path) in RunDirectories(views))
        {
            if (named.Contains(relative))
            {
                namedRuns++;
                continue;
            }

            var since = record.TryGetValue(relative, out var recorded) && recorded <= now ? recorded : now;
            next[relative] = since;
            items.Add(Decide(relative, path, RetentionItemKind.Run, since, now, grace, mode, manifest, cancellationToken));
        }

        foreach (var path in TemporaryFiles(views))
        {
            // Nothing reads a temporary file; its last write is when its publish stopped, so the file time is the right clock here.
            var since = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
            var relative = $"{BatchViewLayout.ViewsDirectoryName}/{Path.GetFileName(path)}";
            items.Add(Decide(relative, path, RetentionItemKind.TemporaryFile, since, now, grace, mode, manifest, cancellationToken));
        }

        if (_manifests is IStoredViewsRetention stored)
        {
            items.AddRange(await RetainStoredAsync(stored, now, grace, mode, manifest, cancellationToken).ConfigureAwait(false));
        }

        foreach (var item in items.Where(i => i is { Kind: RetentionItemKind.Run, Action: RetentionAction.Deleted }))
        {
            next.Remove(item.Path);
        }

        if (mode == RetentionMode.Delete)
        {
            RemoveEmptyVersionDirectories(views, items);
        }

        if (mode != RetentionMode.DryRun && !SameRecord(record, next))
        {
            await SupersededRunsRecord.SaveAsync(Root, next, cancellationToken).ConfigureAwait(false);
        }

        var result = new RetentionResult
        {
            DryRun = mode == RetentionMode.DryRun,
            GracePeriod = grace,
            At = now,
            ManifestRunId = manifest?.RunId,
            NamedRuns = namedRuns,
            Items = items.OrderBy(i => i.Path, StringComparer.Ordinal).ToArray(),
        };
        _logger.LogInformation(
            "Retention ({Mode}) of {Root} against manifest {ManifestRunId}: {NamedRuns} named runs kept, {KeptInGrace} unnamed kept within the grace period {GracePeriod}, {Deleted} deleted ({BytesDeleted} bytes), {WouldDelete} due but not deleted, {Failed} failed",
            mode, Root, result.ManifestRunId ?? "(none)", namedRuns, result.KeptInGrace, grace, result.Deleted, result.BytesDeleted, result.WouldDelete, result.Failed);
        return result;
    }

    private async Task<IReadOnlyList<RetentionItem>> RetainStoredAsync(
        IStoredViewsRetention stored, DateTimeOffset now, TimeSpan grace, RetentionMode mode, BatchManifest? manifest, CancellationToken cancellationToken)
    {
        var unnamed = await stored.ListUnnamedAsync(now, grace, cancellationToken).ConfigureAwait(false);
        if (mode == RetentionMode.Delete)
        {
            // Rows first: a pass killed after this leaves objects no row names, which the next pass (or publish) deletes.
            await stored.ForgetManifestsSupersededByAsync(now - grace, cancellationToken).ConfigureAwait(false);
        }

        var items = new List<RetentionItem>(unnamed.Count);
        foreach (var item in unnamed)
        {
            if (now - item.UnnamedSince < grace)
            {
                items.Add(new RetentionItem(item.Key, RetentionItemKind.StoredObject, item.UnnamedSince, RetentionAction.KeptInGrace, 0));
                continue;
            }

            if (mode != RetentionMode.Delete)
            {
                items.Add(new RetentionItem(item.Key, RetentionItemKind.StoredObject, item.UnnamedSince, RetentionAction.WouldDelete, item.Size));
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await stored.DeleteObjectAsync(item.Key, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                _logger.LogWarning(ex, "Retention could not delete {Kind} {Path}; the next pass tries again", RetentionItemKind.StoredObject, item.Key);
                items.Add(new RetentionItem(item.Key, RetentionItemKind.StoredObject, item.UnnamedSince, RetentionAction.Failed, item.Size));
                continue;
            }

            _logger.LogInformation(
                "Retention deleted {Kind} {Path} ({Bytes} bytes): not named by manifest {ManifestRunId} since {UnnamedSince:O}, grace period {GracePeriod}",
                RetentionItemKind.StoredObject, item.Key, item.Size, manifest?.RunId ?? "(none)", item.UnnamedSince, grace);
            items.Add(new RetentionItem(item.Key, RetentionItemKind.StoredObject, item.UnnamedSince, RetentionAction.Deleted, item.Size));
        }

        return items;
    }

    private RetentionItem Decide(
        string relative, string path, RetentionItemKind kind, DateTimeOffset since, DateTimeOffset now, TimeSpan grace, RetentionMode mode, BatchManifest? manifest, CancellationToken cancellationToken)
    {
        if (now - since < grace)
        {
            return new RetentionItem(relative, kind, since, RetentionAction.KeptInGrace, 0);
        }

        var bytes = kind == RetentionItemKind.Run ? DirectorySize(path) : new FileInfo(path).Length;
        if (mode != RetentionMode.Delete)
        {
            return new RetentionItem(relative, kind, since, RetentionAction.WouldDelete, bytes);
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (kind == RetentionItemKind.Run)
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(ex, "Retention could not delete {Kind} {Path}; the next pass tries again", kind, relative);
            return new RetentionItem(relative, kind, since, RetentionAction.Failed, bytes);
        }

        _logger.LogInformation(
            "Retention deleted {Kind} {Path} ({Bytes} bytes): not named by manifest {ManifestRunId} since {UnnamedSince:O}, grace period {GracePeriod}",
            kind, relative, bytes, manifest?.RunId ?? "(none)", since, grace);
        return new RetentionItem(relative, kind, since, RetentionAction.Deleted, bytes);
    }

    /// <summary>Every directory that holds a file the manifest names, with all its ancestors, root-relative.</summary>
    private static HashSet<string> NamedDirectories(BatchManifest? manifest)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in manifest?.Views.Values ?? [])
        {
            foreach (var day in entry.Days)
            {
                var file = day.File.Replace('\\', '/');
                for (var slash = file.LastIndexOf('/'); slash > 0; slash = file.LastIndexOf('/', slash - 1))
                {
                    if (!named.Add(file[..slash]))
                    {
                        break;
                    }
                }
            }
        }

        return named;
    }

    /// <summary>
    /// The run directories of the layout: <c>views/&lt;view&gt;/&lt;8 hex digits&gt;/run=&lt;valid run id&gt;</c>.
    /// Anything else under <c>views/</c> is not the layout's and is left alone; so are symbolic links, which
    /// could lead outside <c>views/</c>.
    /// </summary>
    private IEnumerable<(string Relative, string Path)> RunDirectories(string views)
    {
        if (!Directory.Exists(views))
        {
            yield break;
        }

        foreach (var view in Subdirectories(views).Where(d => !d.Name.StartsWith('.')))
        {
            foreach (var version in Subdirectories(view.FullName).Where(d => IsHash8(d.Name)))
            {
                foreach (var run in Subdirectories(version.FullName).Where(d => IsRunDirectoryName(d.Name)))
                {
                    yield return ($"{BatchViewLayout.ViewsDirectoryName}/{view.Name}/{version.Name}/{run.Name}", run.FullName);
                }
            }
        }
    }

    private IEnumerable<DirectoryInfo> Subdirectories(string directory)
    {
        foreach (var info in new DirectoryInfo(directory).EnumerateDirectories().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (info.LinkTarget is not null)
            {
                _logger.LogWarning("Retention skips {Path}: it is a symbolic link", info.FullName);
                continue;
            }

            yield return info;
        }
    }

    private static IEnumerable<string> TemporaryFiles(string views) =>
        Directory.Exists(views)
            ? new[] { BatchViewLayout.ManifestFileName, SupersededRunsRecord.FileName }
                .SelectMany(name => Directory.EnumerateFiles(views, name + ".*.tmp"))
                .Where(path => new FileInfo(path).LinkTarget is null)
                .Order(StringComparer.Ordinal)
                .ToArray()
            : [];

    /// <summary>Removes the version and view directories that the deleted runs left empty (e.g. of an old definition).</summary>
    private void RemoveEmptyVersionDirectories(string views, IEnumerable<RetentionItem> items)
    {
        var versions = items
            .Where(i => i is { Kind: RetentionItemKind.Run, Action: RetentionAction.Deleted })
            .Select(i => i.Path[..i.Path.LastIndexOf('/')])
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        foreach (var version in versions)
        {
            var view = version[..version.LastIndexOf('/')];
            foreach (var relative in new[] { version, view })
            {
                var path = BatchViewLayout.Resolve(Root, relative);
                if (!Directory.Exists(path) || Directory.EnumerateFileSystemEntries(path).Any())
                {
                    break;
                }

                try
                {
                    Directory.Delete(path);
                    _logger.LogInformation("Retention deleted the empty directory {Path}", relative);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _logger.LogWarning(ex, "Retention could not delete the empty directory {Path}", relative);
                    break;
                }
            }
        }
    }

    private static bool IsHash8(string name) => name.Length == 8 && name.All(char.IsAsciiHexDigitLower);

    private static bool IsRunDirectoryName(string name)
    {
        if (!name.StartsWith(RunPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            BatchViewLayout.ValidateRunId(name[RunPrefix.Length..]);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static long DirectorySize(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Sum(f => f.Length);

    private static bool SameRecord(IReadOnlyDictionary<string, DateTimeOffset> a, IReadOnlyDictionary<string, DateTimeOffset> b) =>
        a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var v) && v == e.Value);
}
