namespace Lambda.Shared.Dataset;

/// <summary>What <see cref="IMasterCommitLog.RecoverCompactionsAsync"/> did.</summary>
/// <param name="CompactionsFinished">Compaction records found with superseded records or files still present, or files not yet in place.</param>
/// <param name="FilesRolledForward">Compacted files still written aside that were renamed into place.</param>
/// <param name="RecordsDeleted">Superseded commit records deleted.</param>
/// <param name="TempFilesDeleted">Files of compactions that never wrote their record (<c>.compacting</c>) deleted, or on the s3 kind the superseded records' objects deleted.</param>
public sealed record CompactionRecovery(int CompactionsFinished, int FilesRolledForward, int RecordsDeleted, int TempFilesDeleted);
