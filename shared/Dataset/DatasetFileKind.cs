namespace Lambda.Shared.Dataset;

/// <summary>The kinds of master-dataset data file (<see cref="DatasetFile"/> says what each holds and who writes it).</summary>
public enum DatasetFileKind
{
    /// <summary>Rows of one partition and one UTC hour, in offset order: what compactions and archivers of earlier builds wrote.</summary>
    Hour,

    /// <summary>All rows of one partition of one archiver commit, sorted by event time, a row group (or more) per UTC day.</summary>
    Flush,

    /// <summary>Rows of one partition and one UTC day, sorted by event time: what compaction writes.</summary>
    Day,
}
