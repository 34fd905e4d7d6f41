using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.Shared.Dataset;

/// <summary>
/// Reads the events of one source back from the master dataset: only files named by complete commits
/// (<see cref="MasterDatasetSnapshot"/>), pruned by their event-time range and by their row groups' event-time
/// statistics, and rows filtered exactly.
/// </summary>
public sealed class MasterDatasetReader
{
    private readonly MasterFileSchema _schema;

    /// <summary>Creates a reader of <paramref name="source"/> under the dataset root <paramref name="root"/>.</summary>
    public MasterDatasetReader(string root, SourceDefinition source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(source);
        Root = Path.GetFullPath(root);
        Source = source;
        _schema = new MasterFileSchema(source);
    }

    /// <summary>The absolute dataset root.</summary>
    public string Root { get; }

    /// <summary>The source.</summary>
    public SourceDefinition Source { get; }

    /// <summary>The current snapshot of the source's dataset.</summary>
    public MasterDatasetSnapshot LoadSnapshot() => MasterDatasetSnapshot.Load(Root, Source.Name);

    /// <summary>
    /// Calls <paramref name="onEvent"/> for every archived event whose event time lies in <paramref name="range"/>
    /// (half-open), with a record holding every field (reused between calls), its Kafka partition and offset.
    /// Files are read in partition and offset order.
    /// </summary>
    /// <returns>The number of events passed to <paramref name="onEvent"/>.</returns>
    public Task<long> ReadAsync(TimeRange range, Action<EventRecord, int, long> onEvent, CancellationToken cancellationToken) =>
        ReadAsync(LoadSnapshot(), range, onEvent, cancellationToken);

    /// <summary>As <see cref="ReadAsync(TimeRange, Action{EventRecord, int, long}, CancellationToken)"/>, over a given snapshot.</summary>
    public async Task<long> ReadAsync(MasterDatasetSnapshot snapshot, TimeRange range, Action<EventRecord, int, long> onEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(onEvent);
        if (!string.Equals(snapshot.Source, Source.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the snapshot is of source '{snapshot.Source}', the reader of '{Source.Name}'", nameof(snapshot));
        }

        var batch = new MasterRowBatch(_schema);
        var record = new EventRecord(Source);
        long passed = 0;
        foreach (var file in snapshot.Files)
        {
            if (file.MaxEventTime < range.StartMilliseconds || file.MinEventTime >= range.EndMilliseconds)
            {
                continue;
            }

            await MasterFileReader.ReadAsync(snapshot.GetPath(file), batch, b =>
            {
                var times = b.EventTimes;
                var partitions = b.Partitions;
                var offsets = b.Offsets;
                for (var i = 0; i < b.Count; i++)
                {
                    if (range.Contains(times[i]))
                    {
                        b.Fill(i, record);
                        onEvent(record, partitions[i], offsets[i]);
                        passed++;
                    }
                }
            }, cancellationToken, (min, max) => max >= range.StartMilliseconds && min < range.EndMilliseconds).ConfigureAwait(false);
        }

        return passed;
    }
}
