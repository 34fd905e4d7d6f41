namespace Lambda.BatchLayer.Retention;

/// <summary>How a retention pass treats the items whose grace period is over.</summary>
internal enum RetentionMode
{
    /// <summary>Delete them and update the record.</summary>
    Delete,

    /// <summary>Only update the record of when runs stopped being named (retention disabled).</summary>
    RecordOnly,

    /// <summary>Change nothing; report what <see cref="Delete"/> would do.</summary>
    DryRun,
}
