using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Dataset;

/// <summary>
/// Reads one partition of a source's master dataset back in offset order, from a position on: the input of a Kappa
/// replay (the speed layer folds the events into its views in the order Kafka delivered them, so its flushes carry
/// contiguous offset ranges exactly as live consumption does). Positions are as archived: the Kafka offset with the
/// offset epoch in its high bits (<see cref="Kafka.Epochs.KafkaPosition"/>), so a later epoch sorts after an earlier one.
/// </summary>
/// <remarks>
/// Flush and day files are sorted by event time, and a compaction record's files interleave their offsets, so files are
/// grouped by overlapping offset ranges (<see cref="OffsetGroups"/>): one archiver commit or one compaction record per
/// group, as groups of different commits never overlap. A group's rows are held in memory and sorted, which bounds the
/// memory by the largest commit (<c>Batch:Compaction:MaxEventsPerRecord</c>, 1,000,000 events by default).
/// </remarks>
public sealed class MasterDatasetReplayReader
{
    private readonly MasterFileSchema _schema;

    /// <summary>Creates a reader of <paramref name="source"/>'s archived events.</summary>
    public MasterDatasetReplayReader(SourceDefinition source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        _schema = new MasterFileSchema(source);
    }

    /// <summary>The source.</summary>
    public SourceDefinition Source { get; }

    /// <summary>
    /// Calls <paramref name="onEvent"/> for every event of <paramref name="partition"/> in <paramref name="snapshot"/> whose
    /// position is at least <paramref name="from"/>, in ascending position, with a record holding every field (reused
    /// between calls) and the position.
    /// </summary>
    /// <returns>The number of events passed to <paramref name="onEvent"/>.</returns>
    public async Task<long> ReadPartitionAsync(
        MasterDatasetSnapshot snapshot, int partition, long from, Action<EventRecord, long> onEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(onEvent);
        if (!string.Equals(snapshot.Source, Source.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the snapshot is of source '{snapshot.Source}', the reader of '{Source.Name}'", nameof(snapshot));
        }

        var record = new EventRecord(Source);
        long passed = 0;
        foreach (var group in OffsetGroups(snapshot.Files.Where(f => f.Partition == partition && f.MaxOffset >= from)))
        {
            var batches = new List<MasterRowBatch>();
            foreach (var file in group)
            {
                await MasterFileReader.ReadAsync(
                    snapshot.GetPath(file),
                    _schema,
                    () =>
                    {
                        var batch = new MasterRowBatch(_schema);
                        batches.Add(batch);
                        return batch;
                    },
                    static _ => { },
                    cancellationToken).ConfigureAwait(false);
            }

            var rows = batches.Sum(b => b.Count);
            var positions = new long[rows];
            var where = new (int Batch, int Row)[rows];
            var n = 0;
            for (var b = 0; b < batches.Count; b++)
            {
                var offsets = batches[b].Offsets;
                for (var r = 0; r < offsets.Length; r++)
                {
                    positions[n] = offsets[r];
                    where[n++] = (b, r);
                }
            }

            Array.Sort(positions, where);
            for (var i = 0; i < rows; i++)
            {
                if (positions[i] < from)
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                batches[where[i].Batch].Fill(where[i].Row, record);
                onEvent(record, positions[i]);
                passed++;
            }
        }

        return passed;
    }

    /// <summary>
    /// The files in ascending offset order, grouped so that the offset ranges of two groups never overlap: sorting each
    /// group's rows then gives the whole sequence in offset order.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<DatasetFile>> OffsetGroups(IEnumerable<DatasetFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var groups = new List<IReadOnlyList<DatasetFile>>();
        List<DatasetFile>? current = null;
        var currentMax = long.MinValue;
        foreach (var file in files.OrderBy(f => f.MinOffset).ThenBy(f => f.MaxOffset))
        {
            if (current is null || file.MinOffset > currentMax)
            {
                current = [];
                groups.Add(current);
            }

            current.Add(file);
            currentMax = Math.Max(currentMax, file.MaxOffset);
        }

        return groups;
    }
}
