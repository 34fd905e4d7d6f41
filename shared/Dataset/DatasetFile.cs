using System.Text.Json.Serialization;

namespace Lambda.Shared.Dataset;

/// <summary>
/// One data file of the master dataset, as its commit record lists it. Three kinds (<see cref="Kind"/>):
/// <list type="bullet">
/// <item>a <b>flush file</b> (<see cref="Days"/> set, <see cref="Date"/> and <see cref="Hour"/> null): all rows of one
/// partition of one archiver commit, sorted by event time, one Parquet row group (or more, when large) per UTC
/// day, so readers prune by the row groups' event-time statistics (<see cref="MasterDatasetLayout.FlushFile"/>);</item>
/// <item>a <b>day file</b> (<see cref="Date"/> set, <see cref="Hour"/> and <see cref="Days"/> null): every row's event
/// time lies on that UTC day, rows sorted by event time then offset, in row groups of at most
/// <c>Batch:Compaction:RowGroupSize</c> rows whose event-time statistics are disjoint ranges readers prune by
/// (<see cref="MasterDatasetLayout.DayFile"/>); written by compaction, in compaction records only;</item>
/// <item>an <b>hour file</b> (<see cref="Date"/> and <see cref="Hour"/> set, <see cref="Days"/> null): every row's
/// event time lies in that UTC hour, rows in offset order (<see cref="MasterDatasetLayout.DataFile"/>); written by
/// the compactions and archivers of earlier builds, still read, and merged into day files when compaction next
/// rewrites their record.</item>
/// </list>
/// </summary>
/// <param name="Path">Relative to the dataset root, '/' separators.</param>
/// <param name="Partition">The Kafka partition of every row.</param>
/// <param name="Date">Day and hour files: the UTC day of every row's event time.</param>
/// <param name="Hour">Hour files: the UTC hour (0-23) of every row's event time.</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="MinOffset">Smallest Kafka offset of a row.</param>
/// <param name="MaxOffset">Largest Kafka offset of a row.</param>
/// <param name="MinEventTime">Earliest event time, UTC epoch ms.</param>
/// <param name="MaxEventTime">Latest event time, UTC epoch ms.</param>
/// <param name="Days">Flush files: the UTC days the rows touch, ascending.</param>
public sealed record DatasetFile(
    string Path,
    int Partition,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? Date,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Hour,
    long Rows,
    long MinOffset,
    long MaxOffset,
    long MinEventTime,
    long MaxEventTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<DatasetFileDay>? Days = null)
{
    /// <summary>The file's kind, from which of <see cref="Date"/>, <see cref="Hour"/> and <see cref="Days"/> are set.</summary>
    [JsonIgnore]
    public DatasetFileKind Kind => Days is not null ? DatasetFileKind.Flush : Hour is not null ? DatasetFileKind.Hour : DatasetFileKind.Day;

    /// <summary>Whether this is a flush file (rows of many hours, sorted by event time).</summary>
    [JsonIgnore]
    public bool IsFlushFile => Days is not null;

    /// <summary>The UTC days the rows touch with their row counts and ranges: <see cref="Days"/>, or the day or hour file's one day.</summary>
    [JsonIgnore]
    public IReadOnlyList<DatasetFileDay> EventDays =>
        Days ?? [new DatasetFileDay(Date ?? throw new InvalidOperationException($"data file '{Path}' has neither days nor a date"), Rows, MinOffset, MaxOffset, MinEventTime, MaxEventTime)];

    /// <summary>Whether a row of the file may lie on <paramref name="day"/>.</summary>
    public bool Touches(DateOnly day) => Days is null ? Date == day : Days.Any(d => d.Date == day);
}
