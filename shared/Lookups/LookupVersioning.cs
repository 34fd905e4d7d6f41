namespace Lambda.Shared.Lookups;

/// <summary>How the rows of a lookup are versioned by event time (the catalog's <c>valid_from:</c>).</summary>
public enum LookupVersioning
{
    /// <summary>One row per key, valid for every event time.</summary>
    None = 0,

    /// <summary>Rows carry <c>valid_from</c> as a UTC day (<c>2026-12-01</c>): valid from that midnight on.</summary>
    Day = 1,

    /// <summary>Rows carry <c>valid_from</c> as a UTC instant (ISO-8601 with an offset, or epoch milliseconds).</summary>
    Time = 2,
}
