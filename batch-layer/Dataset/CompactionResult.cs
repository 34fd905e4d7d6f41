namespace Lambda.BatchLayer.Dataset;

/// <summary>What <see cref="MasterDatasetCompactor.CompactAsync"/> did to one source.</summary>
/// <param name="Source">The source.</param>
/// <param name="Recovery">What the recovery of interrupted compactions did first.</param>
/// <param name="RecordsSuperseded">Commit records replaced.</param>
/// <param name="RecordsWritten">Compaction records written.</param>
/// <param name="FilesBefore">Data files named by the source's snapshot before.</param>
/// <param name="FilesAfter">Data files named by the source's snapshot after.</param>
/// <param name="FilesWritten">Day files written (days held by a single day file alone are kept as they are).</param>
/// <param name="RowsWritten">Rows in the merged files written.</param>
/// <param name="FilesRead">Data files read (each once per run, whatever the days it touches; kept day files are not read).</param>
public sealed record CompactionResult(
    string Source,
    CompactionRecovery Recovery,
    int RecordsSuperseded,
    int RecordsWritten,
    int FilesBefore,
    int FilesAfter,
    int FilesWritten,
    long RowsWritten,
    int FilesRead);
