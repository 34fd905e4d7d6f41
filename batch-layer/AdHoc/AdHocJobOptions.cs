using System.ComponentModel.DataAnnotations;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>How batch workers run ad hoc jobs (configuration section <c>Batch:AdHocJobs</c>).</summary>
public sealed class AdHocJobOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch:AdHocJobs";

    /// <summary>
    /// How often a running job stores its progress and reads its state back, which is how a cancel request reaches it
    /// (so also the longest a cancelled query goes on). Default 500 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Batch:AdHocJobs:PollInterval must lie between 10 ms and 1 minute.")]
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
