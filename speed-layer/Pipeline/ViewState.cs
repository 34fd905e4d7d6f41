using System.Diagnostics;
using Lambda.Shared.Catalog;
using Lambda.SpeedLayer.Metrics;

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

    /// <summary>Kafka timestamp (Unix ms) of the oldest record since the last cut; <see cref="long.MaxValue"/> when none had one.</summary>
    public long OldestRecordMs { get; set; } = long.MaxValue;

    /// <summary>Trace contexts of the requests that produced records since the last cut (at most <see cref="SpeedLayerTracing.MaxLinksPerFlush"/>).</summary>
    public List<ActivityContext> ProducerContexts { get; set; } = [];

    /// <summary>Notes a record's Kafka timestamp and producer context for the next flush.</summary>
    public void Observe(long recordMs, in ActivityContext producer)
    {
        if (recordMs > 0 && recordMs < OldestRecordMs)
        {
            OldestRecordMs = recordMs;
        }

        if (producer != default && ProducerContexts.Count < SpeedLayerTracing.MaxLinksPerFlush && !ProducerContexts.Contains(producer))
        {
            ProducerContexts.Add(producer);
        }
    }
}
