using Lambda.BatchLayer.Retention;

namespace Lambda.BatchLayer.Recompute;

/// <summary>The outcome of a recompute run.</summary>
public sealed record RecomputeResult
{
    /// <summary>Identifier of the run; also the name of its published files.</summary>
    public required string RunId { get; init; }

    /// <summary>True when there was nothing new to recompute and nothing was published.</summary>
    public required bool NothingToDo { get; init; }

    /// <summary>The (view, day) pairs that were recomputed.</summary>
    public required IReadOnlyList<RecomputedDay> Days { get; init; }

    /// <summary>Master-dataset rows read.</summary>
    public required long RowsRead { get; init; }

    /// <summary>Batch-view rows (groups) written.</summary>
    public required long RowsWritten { get; init; }

    /// <summary>When the run started and ended (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <inheritdoc cref="StartedAt"/>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>
    /// The retention pass that ended the run (what was deleted, what is kept within the grace period); null
    /// when the engine has no retention or the pass failed (logged).
    /// </summary>
    public RetentionResult? Retention { get; init; }
}
