using Lambda.Shared.Catalog;

namespace Lambda.SpeedLayer.Pipeline;

/// <summary>The pipeline's state for one assigned partition of a source.</summary>
internal sealed class PartitionState
{
    public PartitionState(int partition, IReadOnlyList<ViewDefinition> views, PartitionResume resume)
    {
        Partition = partition;
        Views = new ViewPartitionState[views.Count];
        for (var v = 0; v < views.Count; v++)
        {
            Views[v] = new ViewPartitionState(views[v], resume.StoredLastOffsets[v]);
        }

        CommittedNext = resume.StartOffset;
        FencingToken = resume.FencingToken;
    }

    /// <summary>The assignment's fencing token (0: fencing off).</summary>
    public long FencingToken { get; }

    public int Partition { get; }

    /// <summary>Per view of the source, in catalog order.</summary>
    public ViewPartitionState[] Views { get; }

    /// <summary>The last offset processed, or -1 before the first message.</summary>
    public long LastProcessed { get; set; } = -1;

    /// <summary>The offset last handed out for committing (every view has stored everything below it), or null.</summary>
    public long? CommittedNext { get; set; }
}
