using System.Globalization;
using Lambda.Shared.Catalog;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// File layout of the batch views under the dataset root:
/// <c>views/&lt;view&gt;/&lt;hash8&gt;/run=&lt;runId&gt;/day=YYYY-MM-DD.parquet</c> and the manifest
/// <c>views/manifest.json</c>. Paths stored in the manifest are relative to the root with '/' separators.
/// </summary>
public static class BatchViewLayout
{
    /// <summary>The views directory, relative to the dataset root.</summary>
    public const string ViewsDirectoryName = "views";

    /// <summary>The manifest's file name inside the views directory.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>The first 8 hex digits of a view's definition hash: the version directory of its files.</summary>
    /// <exception cref="ArgumentException">The hash is shorter than 8 characters.</exception>
    public static string Hash8(string definitionHash)
    {
        ArgumentNullException.ThrowIfNull(definitionHash);
        return definitionHash.Length >= 8
            ? definitionHash[..8]
            : throw new ArgumentException($"definition hash '{definitionHash}' is shorter than 8 characters", nameof(definitionHash));
    }

    /// <summary>The absolute views directory.</summary>
    public static string ViewsDirectory(string root) => Path.Combine(root, ViewsDirectoryName);

    /// <summary>The absolute manifest path.</summary>
    public static string ManifestPath(string root) => Path.Combine(root, ViewsDirectoryName, ManifestFileName);

    /// <summary>The directory of one run's files of one view version, relative to the root.</summary>
    public static string RunDirectory(ViewDefinition view, string runId)
    {
        ArgumentNullException.ThrowIfNull(view);
        ValidateRunId(runId);
        return $"{ViewsDirectoryName}/{view.Name}/{Hash8(view.DefinitionHash)}/run={runId}";
    }

    /// <summary>The day file of one run of one view version, relative to the root.</summary>
    public static string DayFile(ViewDefinition view, string runId, DateOnly day) =>
        $"{RunDirectory(view, runId)}/day={day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.parquet";

    /// <summary>The absolute path of a root-relative path from the manifest.</summary>
    /// <exception cref="ArgumentException">The path is absolute or leaves the root.</exception>
    public static string Resolve(string root, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(relativePath);
        if (Path.IsPathRooted(relativePath) || relativePath.Split('/', '\\').Any(part => part is ".." or ""))
        {
            throw new ArgumentException($"'{relativePath}' is not a plain path relative to the dataset root", nameof(relativePath));
        }

        return Path.Combine(root, relativePath.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <summary>Checks that a run id is usable as a directory name: 1-64 characters of [A-Za-z0-9_.-].</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static void ValidateRunId(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (runId.Length is 0 or > 64 || runId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')) || runId.StartsWith('.'))
        {
            throw new ArgumentException($"run id '{runId}' must be 1-64 characters of letters, digits, '_', '-' or '.' (not starting with '.')", nameof(runId));
        }
    }
}
