using System.Diagnostics;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;

namespace Lambda.SpeedLayer.Flushing;

/// <summary>
/// One flush of one view: the deltas of every partition that advanced since the previous flush, written
/// as one insert.
/// </summary>
/// <param name="View">The view.</param>
/// <param name="Topic">The source topic the partitions belong to.</param>
/// <param name="Deltas">Per partition: the offset range and its groups (no groups: a marker row).</param>
/// <param name="StoredBefore">
/// Per delta (same order), the largest last_offset the store held for the view and partition when the batch
/// was cut (null: none). An insert is only made while the store still says exactly that; after an
/// ambiguous failure, finding the delta's own last offset means the insert had succeeded.
/// </param>
/// <param name="DeadLetterDeliveries">Dead letters inside the batch's ranges; the insert waits for them.</param>
/// <param name="CutTimestamp">When the batch was cut (<see cref="TimeProvider.GetTimestamp"/>), for flush latency.</param>
/// <param name="OldestRecordTime">Kafka timestamp of the batch's oldest record (null: none carried one), for freshness.</param>
/// <param name="ProducerContexts">Trace contexts of the requests that produced the batch's records, linked from the flush's activity.</param>
internal sealed record FlushBatch(
    ViewDefinition View,
    string Topic,
    IReadOnlyList<SpeedPartitionDelta> Deltas,
    IReadOnlyList<long?> StoredBefore,
    IReadOnlyList<Task> DeadLetterDeliveries,
    long CutTimestamp,
    DateTimeOffset? OldestRecordTime = null,
    IReadOnlyList<ActivityContext>? ProducerContexts = null)
{
    /// <summary>Rows the insert holds.</summary>
    public int RowCount => Deltas.Sum(d => d.RowCount);
}
