using Lambda.ServingLayer.Admin;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>The newest batch run as of one sample.</summary>
/// <param name="Time">When it was read (UTC).</param>
/// <param name="Run">The newest run; null when none is recorded, or when <paramref name="Failed"/>.</param>
/// <param name="Failed">Whether reading the run log failed.</param>
public sealed record RecomputeReading(DateTimeOffset Time, BatchRun? Run, bool Failed)
{
    /// <summary>Time since the run finished (since it started while it runs), as of <paramref name="now"/>; null without a run.</summary>
    public TimeSpan? AgeAt(DateTimeOffset now) => Run is null ? null : now - (Run.FinishedAt ?? Run.StartedAt);
}
