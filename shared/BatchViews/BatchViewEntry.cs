using System.Text.Json.Serialization;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// The published state of one view in the manifest: which definition version, up to which offset of each
/// source partition the batch view is complete, and its day files.
/// </summary>
public sealed record BatchViewEntry
{
    /// <summary>The view name.</summary>
    public required string View { get; init; }

    /// <summary>The view's source.</summary>
    public required string Source { get; init; }

    /// <summary>The view's full definition hash (<see cref="Catalog.ViewDefinition.DefinitionHash"/>) the files were computed for.</summary>
    public required string DefinitionHash { get; init; }

    /// <summary>The run that last recomputed this view (or moved its watermarks).</summary>
    public required string RunId { get; init; }

    /// <summary>When that run published it (UTC).</summary>
    public required DateTimeOffset ComputedAt { get; init; }

    /// <summary>
    /// Per source partition the exclusive offset watermark S_p: the day files hold exactly the archived events
    /// of that partition with offset &lt; S_p. Each S_p is one of the view's speed-flush boundaries; a partition
    /// that is absent has watermark 0 (nothing of it is in the batch view).
    /// </summary>
    public required IReadOnlyDictionary<int, long> Watermarks { get; init; }

    /// <summary>The day files, ascending by day, one per day that has at least one group.</summary>
    public required IReadOnlyList<BatchViewDay> Days { get; init; }

    /// <summary>
    /// The version of each lookup the view joins that its days were computed with (0: none published); null for a view
    /// without lookups. The next recompute redoes the days at or below the watermark where a newer version joins differently.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, long>? Lookups { get; init; }

    /// <summary>
    /// This view's published watermark (no speed offsets). Not a member of the manifest file, which keeps format 1's
    /// flat <c>runId</c>, <c>computedAt</c>, <c>definitionHash</c> and <c>watermarks</c>.
    /// </summary>
    [JsonIgnore]
    public ViewWatermark Watermark => new(RunId, ComputedAt, DefinitionHash, Watermarks, ViewWatermark.NoOffsets);

    /// <summary>The watermark of <paramref name="partition"/> (0 when absent).</summary>
    public long GetWatermark(int partition) => Watermarks.TryGetValue(partition, out var w) ? w : 0;

    /// <summary>The file of <paramref name="day"/>, or null when the view has no group that day.</summary>
    public BatchViewDay? FindDay(DateOnly day)
    {
        foreach (var d in Days)
        {
            if (d.Day == day)
            {
                return d;
            }
        }

        return null;
    }
}
