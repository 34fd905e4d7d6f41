namespace Lambda.Shared.Dataset;

/// <summary>What <see cref="CommitLog.Recover"/> did.</summary>
/// <param name="Commits">Commit records of the recovered partitions.</param>
/// <param name="FilesRolledForward">Data files of committed batches that were still written aside and were renamed into place.</param>
/// <param name="TempFilesDeleted">Temporary files of uncommitted batches that were deleted.</param>
public sealed record CommitRecovery(int Commits, int FilesRolledForward, int TempFilesDeleted);
