using System.Globalization;
using System.Text.RegularExpressions;
using Lambda.Shared.BatchViews;

namespace Lambda.Shared.Dataset;

/// <summary>
/// File layout of the master dataset under the dataset root (docs/design-notes.md, "Master dataset, commit log and compaction"): data files
/// <c>master/&lt;source&gt;/date=YYYY-MM-DD/p&lt;partition&gt;-&lt;firstOffset&gt;-&lt;lastOffset&gt;.parquet</c>
/// partitioned by event time (UTC) (day files: compaction's output), flush files
/// <c>master/&lt;source&gt;/flush/p&lt;partition&gt;-&lt;firstOffset&gt;-&lt;lastOffset&gt;.parquet</c> (one per partition per
/// archiver commit, whatever the spread of event times), hour files
/// <c>master/&lt;source&gt;/date=YYYY-MM-DD/hour=HH/p&lt;partition&gt;-&lt;firstOffset&gt;-&lt;lastOffset&gt;.parquet</c> (what
/// earlier compactions and archivers wrote), where the offsets are the smallest and largest Kafka
/// offset of the rows in the file; commit records <c>master/&lt;source&gt;/_commits/p&lt;partition&gt;-&lt;first&gt;-&lt;last&gt;.json</c>
/// (first/last: the partition's consumed offset range the commit covers). Files are written under a name
/// ending in <see cref="TempSuffix"/> (outside the <c>*.parquet</c> glob) and renamed into place.
/// </summary>
public static partial class MasterDatasetLayout
{
    /// <summary>The master dataset directory under the root.</summary>
    public const string MasterDirectoryName = "master";

    /// <summary>The commit-log directory under a source's directory.</summary>
    public const string CommitDirectoryName = "_commits";

    /// <summary>The directory of flush files under a source's directory.</summary>
    public const string FlushDirectoryName = "flush";

    /// <summary>The suffix of files being written.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>
    /// The suffix of files a compaction is writing (data files and the compaction record's temporary file).
    /// Distinct from <see cref="TempSuffix"/> so that the archiver's recovery, which deletes its partitions'
    /// <c>.tmp</c> files, never touches a running compaction; the compactor's own recovery owns them.
    /// </summary>
    public const string CompactingSuffix = ".compacting";

    /// <summary>The absolute directory of a source's data.</summary>
    public static string SourceDirectory(string root, string source) => Path.Combine(root, MasterDirectoryName, source);

    /// <summary>The absolute commit-log directory of a source.</summary>
    public static string CommitDirectory(string root, string source) => Path.Combine(root, MasterDirectoryName, source, CommitDirectoryName);

    /// <summary>A day file's path relative to the root ('/' separators).</summary>
    public static string DayFile(string source, DateOnly date, int partition, long firstOffset, long lastOffset) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{MasterDirectoryName}/{source}/date={date:yyyy-MM-dd}/p{partition}-{firstOffset}-{lastOffset}.parquet");

    /// <summary>An hour file's path relative to the root ('/' separators).</summary>
    public static string DataFile(string source, DateOnly date, int hour, int partition, long firstOffset, long lastOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hour);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hour, 23);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{MasterDirectoryName}/{source}/date={date:yyyy-MM-dd}/hour={hour:00}/p{partition}-{firstOffset}-{lastOffset}.parquet");
    }

    /// <summary>A flush file's path relative to the root ('/' separators).</summary>
    public static string FlushFile(string source, int partition, long firstOffset, long lastOffset) =>
        string.Create(CultureInfo.InvariantCulture, $"{MasterDirectoryName}/{source}/{FlushDirectoryName}/p{partition}-{firstOffset}-{lastOffset}.parquet");

    /// <summary>A commit record's file name.</summary>
    public static string CommitFileName(int partition, long firstOffset, long lastOffset) =>
        string.Create(CultureInfo.InvariantCulture, $"p{partition}-{firstOffset}-{lastOffset}.json");

    /// <summary>
    /// A glob over every published flush file of a source, for DuckDB's <c>read_parquet</c>. Only exact while no compaction
    /// runs: readers that must be exact read <see cref="MasterDatasetSnapshot.Files"/>.
    /// </summary>
    public static string FlushFileGlob(string root, string source) =>
        Path.Combine(SourceDirectory(root, source), FlushDirectoryName, "*.parquet");

    /// <summary>The absolute path of a root-relative path.</summary>
    public static string Resolve(string root, string relativePath) => BatchViewLayout.Resolve(root, relativePath);

    /// <summary>Parses <c>p&lt;partition&gt;-&lt;first&gt;-&lt;last&gt;&lt;extension&gt;</c>.</summary>
    public static bool TryParseRangeName(string fileName, string extension, out int partition, out long first, out long last)
    {
        partition = 0;
        first = last = 0;
        if (fileName is null || !fileName.EndsWith(extension, StringComparison.Ordinal))
        {
            return false;
        }

        var match = RangeName().Match(fileName[..^extension.Length]);
        return match.Success
            && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out partition)
            && long.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(match.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out last);
    }

    [GeneratedRegex(@"^p([0-9]{1,9})-([0-9]{1,19})-([0-9]{1,19})$", RegexOptions.CultureInvariant)]
    private static partial Regex RangeName();
}
