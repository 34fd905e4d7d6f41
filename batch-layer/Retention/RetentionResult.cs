namespace Lambda.BatchLayer.Retention;

/// <summary>The outcome of one retention pass over a dataset root's batch views.</summary>
public sealed record RetentionResult
{
    /// <summary>True when the pass deleted and recorded nothing.</summary>
    public required bool DryRun { get; init; }

    /// <summary>The grace period the pass applied.</summary>
    public required TimeSpan GracePeriod { get; init; }

    /// <summary>When the pass ran (UTC).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The run id of the manifest the pass kept (null: none is published).</summary>
    public required string? ManifestRunId { get; init; }

    /// <summary>Run directories kept because the manifest names at least one file in them.</summary>
    public required int NamedRuns { get; init; }

    /// <summary>Every unnamed item and what happened to it, by path.</summary>
    public required IReadOnlyList<RetentionItem> Items { get; init; }

    /// <summary>Items deleted.</summary>
    public int Deleted => Count(RetentionAction.Deleted);

    /// <summary>Items whose grace period is over but that were not deleted (dry run or retention disabled).</summary>
    public int WouldDelete => Count(RetentionAction.WouldDelete);

    /// <summary>Items kept within the grace period.</summary>
    public int KeptInGrace => Count(RetentionAction.KeptInGrace);

    /// <summary>Items whose deletion failed.</summary>
    public int Failed => Count(RetentionAction.Failed);

    /// <summary>Bytes of the deleted items.</summary>
    public long BytesDeleted => Items.Where(i => i.Action == RetentionAction.Deleted).Sum(i => i.Bytes);

    private int Count(RetentionAction action) => Items.Count(i => i.Action == action);
}
