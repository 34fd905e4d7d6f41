namespace Lambda.ServingLayer.Querying;

/// <summary>The bucket width of a query's result rows: a time granularity, or <see cref="All"/> (one row per group).</summary>
public enum QueryGranularity
{
    /// <summary>One-minute buckets.</summary>
    Minute = 1,

    /// <summary>One-hour buckets.</summary>
    Hour = 2,

    /// <summary>One-day (UTC) buckets.</summary>
    Day = 3,

    /// <summary>The whole range as one bucket.</summary>
    All = 4,
}
