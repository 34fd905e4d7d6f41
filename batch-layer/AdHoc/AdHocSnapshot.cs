using System.Text.Json;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// The data an ad hoc session reads, taken when it was opened: per source the commit-log snapshot behind
/// <c>master_&lt;source&gt;</c>, per view the published day files behind <c>batch_&lt;view&gt;</c> (paths relative to the
/// dataset root; their names carry the run that published them). A job records it so its result can be traced to the
/// exact offsets and files it covers.
/// </summary>
public sealed class AdHocSnapshot
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Source → its master-dataset snapshot.</summary>
    public SortedDictionary<string, AdHocMasterSnapshot> Master { get; } = new(StringComparer.Ordinal);

    /// <summary>View → its published day files, relative to the dataset root.</summary>
    public SortedDictionary<string, IReadOnlyList<string>> BatchViews { get; } = new(StringComparer.Ordinal);

    /// <summary>The snapshot as JSON (snake_case members <c>master</c> and <c>batch_views</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
