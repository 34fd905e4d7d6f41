using System.Globalization;

namespace Lambda.Shared.Kafka.Epochs;

/// <summary>The text form of an epoch's start offsets, <c>partition:offset</c> pairs separated by commas (<c>0:120,1:98</c>).</summary>
public static class OffsetEpochText
{
    /// <summary>Formats <paramref name="starts"/> ordered by partition; empty when none.</summary>
    public static string FormatStartOffsets(IReadOnlyDictionary<int, long> starts)
    {
        ArgumentNullException.ThrowIfNull(starts);
        return string.Join(",", starts.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}:{s.Value}")));
    }

    /// <summary>Parses <see cref="FormatStartOffsets"/>'s form.</summary>
    /// <exception cref="FormatException">A pair is not <c>partition:offset</c> with a partition and an offset of 0 or more.</exception>
    public static IReadOnlyDictionary<int, long> ParseStartOffsets(string text)
    {
        var starts = new Dictionary<int, long>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return starts;
        }

        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0
                || !int.TryParse(pair.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(pair.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                || offset > KafkaPosition.MaxOffset
                || !starts.TryAdd(partition, offset))
            {
                throw new FormatException($"start offsets '{text}': '{pair}' is not a partition:offset pair (each partition once, both 0 or more)");
            }
        }

        return starts;
    }
}
