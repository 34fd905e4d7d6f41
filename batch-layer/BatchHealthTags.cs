namespace Lambda.BatchLayer;

/// <summary>
/// Tags of the batch layer's health checks: <c>/healthz</c> runs the <see cref="Live"/> ones, <c>/readyz</c> the
/// <see cref="Ready"/> ones (the shared ClickHouse client's check carries <see cref="Ready"/> too).
/// </summary>
public static class BatchHealthTags
{
    /// <summary>Checks that decide readiness.</summary>
    public const string Ready = "ready";

    /// <summary>Checks of the process's own state that <c>/healthz</c> reports (degraded still answers 200).</summary>
    public const string Live = "live";
}
