namespace Lambda.BatchLayer.Retention;

/// <summary>What a retention pass did with an item the manifest does not name.</summary>
public enum RetentionAction
{
    /// <summary>Deleted: its grace period was over.</summary>
    Deleted,

    /// <summary>Its grace period is over, but the pass deleted nothing (a dry run, or retention is disabled).</summary>
    WouldDelete,

    /// <summary>Kept: it stopped being named less than the grace period ago.</summary>
    KeptInGrace,

    /// <summary>Its deletion failed (logged); the next pass tries again.</summary>
    Failed,
}
