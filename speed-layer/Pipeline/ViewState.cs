using Lambda.Shared.Catalog;

namespace Lambda.SpeedLayer.Pipeline;

/// <summary>One view across the partitions of its source: what is pending for its next flush.</summary>
internal sealed class ViewState(ViewDefinition view, int index)
{
    public ViewDefinition View { get; } = view;

    /// <summary>Position among the views of the source.</summary>
    public int Index { get; } = index;

    /// <summary>Groups created since the last cut, over all partitions (rows of the next insert, markers aside).</summary>
    public int PendingGroups { get; set; }

    /// <summary>Dead letters sent since the last cut: the next flush of the view covers their offsets, so it waits for them.</summary>
    public List<Task> DeadLetterDeliveries { get; set; } = [];
}
