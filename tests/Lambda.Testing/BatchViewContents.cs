using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.Testing;

/// <summary>
/// What a published batch view holds, read through the production read path (<see cref="BatchViewReader.ReadFileAsync"/>
/// of each day file its manifest entry names, as the serving snapshot and the ClickHouse loader read them).
/// </summary>
public static class BatchViewContents
{
    /// <summary>The groups of every day file of <paramref name="entry"/>, in the entry's day order, each file in its stored order.</summary>
    public static async Task<IReadOnlyList<ViewGroup>> ReadGroupsAsync(
        BatchViewReader reader, BatchViewEntry entry, ViewDefinition view, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(entry);
        var groups = new List<ViewGroup>();
        foreach (var day in entry.Days)
        {
            groups.AddRange(await reader.ReadFileAsync(BatchViewLayout.Resolve(reader.Root, day.File), view, cancellationToken));
        }

        return groups;
    }
}
