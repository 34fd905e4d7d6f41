using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Dataset;

/// <summary>
/// Appends to one source's master dataset through its commit log (<see cref="IMasterCommitLog"/>): the data file
/// written aside, then committed (<see cref="CommitLog"/>: record written atomically, file renamed into place;
/// <see cref="ObjectStoreCommitLog"/>: file uploaded to a fresh key, record inserted as a PostgreSQL row). A commit writes one flush
/// file (rows sorted by event time, a row group per UTC day) whatever the spread of event times, so the files a
/// flush writes are bounded by the partitions it covers; compaction lays them out by date and hour later. Used by the archiver
/// (and by tools that build a dataset directly). Thread-safe for different partitions.
/// </summary>
public sealed class MasterDatasetWriter
{
    private readonly MasterFileWriter _files;
    private readonly TimeProvider _time;

    /// <summary>Creates a writer of <paramref name="source"/> under the dataset root <paramref name="root"/>.</summary>
    /// <param name="root">The dataset root.</param>
    /// <param name="source">The source.</param>
    /// <param name="flushToDisk">Whether files and commit records are flushed to disk before they become visible.</param>
    /// <param name="rowGroupSize">Rows per Parquet row group.</param>
    /// <param name="time">Clock for commit timestamps.</param>
    public MasterDatasetWriter(string root, SourceDefinition source, bool flushToDisk = true, int rowGroupSize = 1_000_000, TimeProvider? time = null)
        : this(new CommitLog(root, (source ?? throw new ArgumentNullException(nameof(source))).Name), source, flushToDisk, rowGroupSize, time)
    {
    }

    /// <summary>Creates a writer of <paramref name="source"/> that commits through <paramref name="log"/> (any storage kind).</summary>
    /// <param name="log">The source's commit log; data files are written aside under its root.</param>
    /// <param name="source">The source.</param>
    /// <param name="flushToDisk">Whether files and commit records are flushed to disk before they become visible.</param>
    /// <param name="rowGroupSize">Rows per Parquet row group.</param>
    /// <param name="time">Clock for commit timestamps.</param>
    public MasterDatasetWriter(IMasterCommitLog log, SourceDefinition source, bool flushToDisk = true, int rowGroupSize = 1_000_000, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(source);
        if (!string.Equals(log.Source, source.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the log is of source '{log.Source}', the writer of '{source.Name}'", nameof(log));
        }

        Log = log;
        Schema = new MasterFileSchema(source);
        FlushToDisk = flushToDisk;
        _files = new MasterFileWriter { RowGroupSize = rowGroupSize };
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The source's commit log.</summary>
    public IMasterCommitLog Log { get; }

    /// <summary>The source's file schema.</summary>
    public MasterFileSchema Schema { get; }

    /// <summary>Whether files are flushed to disk.</summary>
    public bool FlushToDisk { get; }

    /// <summary>
    /// Stores <paramref name="batch"/> as the commit of offsets <paramref name="firstOffset"/>..<paramref name="lastOffset"/>
    /// (inclusive) of its partition, in which <paramref name="invalidEvents"/> messages were not valid events.
    /// </summary>
    /// <exception cref="ArgumentException">A row lies outside the range, or the range is invalid.</exception>
    /// <exception cref="IOException">The range has been committed already.</exception>
    public async Task<DatasetCommit> CommitAsync(MasterPartitionBatch batch, long firstOffset, long lastOffset, long invalidEvents, CancellationToken cancellationToken)
    {
        var commit = await PrepareAsync(batch, firstOffset, lastOffset, invalidEvents, cancellationToken).ConfigureAwait(false);
        return await RecordAsync(commit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Step 1 of <see cref="CommitAsync"/>: writes the batch's data file aside and returns the commit that would store it.
    /// Nothing is visible until <see cref="RecordAsync"/>; <see cref="Discard"/> removes what this wrote.
    /// </summary>
    /// <exception cref="ArgumentException">A row lies outside the range, or the range is invalid.</exception>
    public async Task<DatasetCommit> PrepareAsync(MasterPartitionBatch batch, long firstOffset, long lastOffset, long invalidEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!ReferenceEquals(batch.Source, Schema.Source))
        {
            throw new ArgumentException($"the batch is of source '{batch.Source.Name}', the writer of '{Schema.Source.Name}'", nameof(batch));
        }

        if (firstOffset < 0 || lastOffset < firstOffset)
        {
            throw new ArgumentException($"offset range {firstOffset}-{lastOffset} is invalid", nameof(lastOffset));
        }

        var rows = batch.Buffer;
        var files = new List<DatasetFile>(1);
        if (rows.Count > 0)
        {
            if (rows.MinOffset < firstOffset || rows.MaxOffset > lastOffset)
            {
                throw new ArgumentException($"rows at offsets {rows.MinOffset}-{rows.MaxOffset} lie outside the committed range {firstOffset}-{lastOffset}", nameof(batch));
            }

            rows.SortByEventTime();
            var dayStarts = rows.DayStarts();
            var path = MasterDatasetLayout.FlushFile(Schema.Source.Name, batch.Partition, rows.MinOffset, rows.MaxOffset);
            var aside = MasterDatasetLayout.Resolve(Log.Root, path) + MasterDatasetLayout.TempSuffix;
            await _files.WriteAsync(aside, Schema, rows, FlushToDisk, cancellationToken, dayStarts).ConfigureAwait(false);
            files.Add(new DatasetFile(path, batch.Partition, null, null, rows.Count, rows.MinOffset, rows.MaxOffset, rows.MinEventTime, rows.MaxEventTime, Days(rows, dayStarts)));
        }

        var commit = new DatasetCommit
        {
            FormatVersion = DatasetCommit.FlushFormatVersion,
            Source = Schema.Source.Name,
            Partition = batch.Partition,
            FirstOffset = firstOffset,
            LastOffset = lastOffset,
            ValidEvents = batch.Rows,
            InvalidEvents = invalidEvents,
            CreatedAt = _time.GetUtcNow(),
            Files = files,
        };
        return commit;
    }

    /// <summary>
    /// Step 2: commits a prepared commit through <see cref="Log"/> (the commit point); once this returns, readers see it
    /// with its files in place.
    /// </summary>
    /// <returns>The commit as recorded.</returns>
    /// <exception cref="IOException">The range has been committed already.</exception>
    public Task<DatasetCommit> RecordAsync(DatasetCommit commit, CancellationToken cancellationToken) => Log.CommitAsync(commit, FlushToDisk, cancellationToken);

    /// <summary>Deletes the data files a prepared commit wrote aside, when it is not to be recorded.</summary>
    public void Discard(DatasetCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        foreach (var file in commit.Files)
        {
            File.Delete(MasterDatasetLayout.Resolve(Log.Root, file.Path) + MasterDatasetLayout.TempSuffix);
        }
    }

    private static DatasetFileDay[] Days(MasterRowBuffer rows, IReadOnlyList<int> dayStarts)
    {
        var times = rows.EventTimes;
        var offsets = rows.Offsets;
        var days = new DatasetFileDay[dayStarts.Count];
        for (var d = 0; d < days.Length; d++)
        {
            var start = dayStarts[d];
            var end = d + 1 < dayStarts.Count ? dayStarts[d + 1] : rows.Count;
            long minOffset = long.MaxValue, maxOffset = long.MinValue;
            for (var i = start; i < end; i++)
            {
                minOffset = Math.Min(minOffset, offsets[i]);
                maxOffset = Math.Max(maxOffset, offsets[i]);
            }

            var first = ParquetColumns.ToEpochMilliseconds(times[start]);
            days[d] = new DatasetFileDay(
                UtcDay.Of(first), end - start, minOffset, maxOffset, first, ParquetColumns.ToEpochMilliseconds(times[end - 1]));
        }

        return days;
    }
}
