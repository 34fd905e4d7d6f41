using Lambda.BatchLayer.BatchViews;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Tests.Loading;

/// <summary>Writes batch-view files with the batch layer's <see cref="BatchViewWriter"/>, as the engine does.</summary>
internal static class BatchViewTestFiles
{
    /// <summary>
    /// Writes <paramref name="groups"/> (all on one UTC day: <paramref name="day"/>, or the first group's day) to
    /// <paramref name="path"/>.
    /// </summary>
    public static Task<long> WriteAsync(string path, ViewDefinition view, IReadOnlyList<ViewGroup> groups, DateOnly? day = null)
    {
        var fileDay = day ?? (groups.Count > 0
            ? DateOnly.FromDateTime(groups[0].BucketStart.UtcDateTime)
            : throw new ArgumentException("an empty file needs its day", nameof(day)));
        return new BatchViewWriter().WriteAsync(path, view, fileDay, "test-run", groups, CancellationToken.None);
    }
}
