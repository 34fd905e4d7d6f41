namespace Lambda.BatchLayer.Dataset;

/// <summary>What <see cref="MasterDatasetCompactor.Recover"/> did.</summary>
/// <param name="CompactionsFinished">Compaction records found with superseded records or files still present, or files not yet in place.</param>
/// <param name="FilesRolledForward">Compacted files still written aside that were renamed into place.</param>
/// <param name="RecordsDeleted">Superseded commit records deleted.</param>
/// <param name="TempFilesDeleted">Files of compactions that never wrote their record (<c>.compacting</c>) deleted.</param>
public sealed record CompactionRecovery(int CompactionsFinished, int FilesRolledForward, int RecordsDeleted, int TempFilesDeleted);
