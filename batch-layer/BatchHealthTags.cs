namespace Lambda.BatchLayer;

/// <summary>Tags of the batch layer's health checks: <c>/readyz</c> runs the <see cref="Ready"/> ones.</summary>
public static class BatchHealthTags
{
    /// <summary>Checks that decide readiness.</summary>
    public const string Ready = "ready";
}
