namespace Lambda.BatchLayer.AdHoc;

/// <summary>What <c>master_&lt;source&gt;</c> of an ad hoc session reads: the committed snapshot of one source.</summary>
/// <param name="Files">Committed data files read.</param>
/// <param name="Rows">Rows in those files.</param>
/// <param name="CommittedEnds">Per Kafka partition, the committed end (exclusive offset) of the snapshot.</param>
public sealed record AdHocMasterSnapshot(int Files, long Rows, SortedDictionary<int, long> CommittedEnds);
