namespace Lambda.Shared.SpeedViews;

/// <summary>The <c>kind</c> column of a speed table.</summary>
public enum SpeedRowKind : byte
{
    /// <summary>A delta: the measures of one (bucket, dimensions) group over one flush of one Kafka partition.</summary>
    Delta = 0,

    /// <summary>
    /// An offset marker: the view got no rows from the partition in this flush (every event was filtered
    /// out or rejected), so only the progress (partition, first/last offset) is recorded.
    /// </summary>
    Marker = 1,
}
