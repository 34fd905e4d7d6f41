namespace Lambda.Shared.Dataset;

/// <summary>What <see cref="IMasterCommitLog.MeasureAsync"/> found: the data files the current snapshot names and their bytes.</summary>
/// <param name="Files">Data files named by the commits in force.</param>
/// <param name="Bytes">Their size in the storage (a file deleted by a compaction between the listing and the measure counts 0).</param>
public sealed record MasterDatasetSize(int Files, long Bytes);
