using System.Text;
using Lambda.Shared.BatchViews;

namespace Lambda.Testing;

/// <summary>
/// Compares two published runs over the same archived events file by file: same views, watermarks, days and rows, and the
/// same bytes in every day file once the run ids (part of each file's path and metadata, of equal length) are swapped.
/// </summary>
public static class PublishedRunComparison
{
    /// <summary>The first difference between <paramref name="expected"/> and <paramref name="actual"/> (both under <paramref name="root"/>), or null; and what was compared.</summary>
    public static (string? Difference, int Files, long Bytes) Compare(string root, BatchManifest expected, BatchManifest actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var from = Encoding.ASCII.GetBytes(expected.RunId);
        var to = Encoding.ASCII.GetBytes(actual.RunId);
        if (from.Length != to.Length)
        {
            return ($"run ids {expected.RunId} and {actual.RunId} differ in length", 0, 0);
        }

        if (!expected.Views.Keys.SequenceEqual(actual.Views.Keys))
        {
            return ($"views [{string.Join(", ", expected.Views.Keys)}] versus [{string.Join(", ", actual.Views.Keys)}]", 0, 0);
        }

        var files = 0;
        long bytes = 0;
        foreach (var (name, left) in expected.Views)
        {
            var right = actual.Views[name];
            if (!left.Watermarks.OrderBy(w => w.Key).SequenceEqual(right.Watermarks.OrderBy(w => w.Key)))
            {
                return ($"view {name}: other watermarks", files, bytes);
            }

            if (!left.Days.Select(d => (d.Day, d.Rows)).SequenceEqual(right.Days.Select(d => (d.Day, d.Rows))))
            {
                return ($"view {name}: other days or rows", files, bytes);
            }

            foreach (var (a, b) in left.Days.Zip(right.Days))
            {
                if (a.File.Replace(expected.RunId, actual.RunId, StringComparison.Ordinal) != b.File)
                {
                    return ($"view {name} day {a.Day:yyyy-MM-dd}: file {a.File} versus {b.File}", files, bytes);
                }

                var swapped = SwapRunId(File.ReadAllBytes(BatchViewLayout.Resolve(root, a.File)), from, to);
                var other = File.ReadAllBytes(BatchViewLayout.Resolve(root, b.File));
                if (!swapped.AsSpan().SequenceEqual(other))
                {
                    return ($"{a.File} and {b.File} differ beyond the run id", files, bytes);
                }

                files++;
                bytes += other.Length;
            }
        }

        return (null, files, bytes);
    }

    /// <summary>A copy of <paramref name="data"/> with every occurrence of <paramref name="from"/> replaced by <paramref name="to"/> (of equal length).</summary>
    public static byte[] SwapRunId(byte[] data, byte[] from, byte[] to)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var result = (byte[])data.Clone();
        var start = 0;
        while (start <= result.Length - from.Length && result.AsSpan(start).IndexOf(from) is var found and >= 0)
        {
            to.CopyTo(result, start + found);
            start += found + from.Length;
        }

        return result;
    }
}
