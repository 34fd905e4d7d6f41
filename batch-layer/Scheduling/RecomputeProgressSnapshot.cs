using System.Text.Json;
using System.Text.Json.Serialization;
using Lambda.BatchLayer.Recompute;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// The progress of a running recompute as stored in its Hangfire job parameter
/// <see cref="RecomputeJob.ProgressParameter"/> (JSON) and shown on the dashboard's job page.
/// </summary>
/// <param name="Stage">The engine's stage (or <c>waiting</c>, <c>load</c>, <c>done</c>).</param>
/// <param name="Completed">Units done in the stage.</param>
/// <param name="Total">Units in the stage, when known.</param>
/// <param name="RowsRead">Master-dataset rows read so far.</param>
/// <param name="UpdatedAt">When this was recorded (UTC).</param>
public sealed record RecomputeProgressSnapshot(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("completed")] long Completed,
    [property: JsonPropertyName("total")] long? Total,
    [property: JsonPropertyName("rowsRead")] long RowsRead,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt)
{
    /// <summary>The share done in percent, when the total is known.</summary>
    [JsonIgnore]
    public double? Percent => Total is > 0 ? Math.Clamp(100d * Completed / Total.Value, 0d, 100d) : null;

    /// <summary>A snapshot of <paramref name="progress"/> taken at <paramref name="at"/>.</summary>
    public static RecomputeProgressSnapshot From(RecomputeProgress progress, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return new(progress.Stage, progress.Completed, progress.Total, progress.RowsRead, at);
    }

    /// <summary>Reads the JSON form; null when the text is not a snapshot.</summary>
    public static RecomputeProgressSnapshot? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RecomputeProgressSnapshot>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);
}
