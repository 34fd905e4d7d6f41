using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;

namespace Lambda.SpeedLayer.Pipeline;

/// <summary>One view in one partition: its own aggregator, so each delta row carries that partition's offset range.</summary>
internal sealed class ViewPartitionState(ViewDefinition view, long? storedLast)
{
    public ViewAggregator Aggregator { get; } = new(view);

    /// <summary>Offsets below this are already stored for the view and are skipped.</summary>
    public long SkipBelow { get; } = storedLast + 1 ?? long.MinValue;

    /// <summary>What the store holds as of the last cut (the expected max last_offset when the next batch is written).</summary>
    public long? StoredLast { get; set; } = storedLast;

    /// <summary>What is known to be durable in the store (confirmed writes), for committing offsets.</summary>
    public long? DurableLast { get; set; } = storedLast;

    /// <summary>First offset processed since the last cut, or -1.</summary>
    public long First { get; set; } = -1;

    /// <summary>Last offset processed since the last cut, or -1.</summary>
    public long Last { get; set; } = -1;

    public bool HasRange => First >= 0;
}
