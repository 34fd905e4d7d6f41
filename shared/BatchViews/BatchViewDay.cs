namespace Lambda.Shared.BatchViews;

/// <summary>One published day file of a batch view.</summary>
/// <param name="Day">The UTC day whose buckets the file holds.</param>
/// <param name="File">The file, relative to the dataset root with '/' separators (see <see cref="BatchViewLayout"/>).</param>
/// <param name="Rows">Number of groups (rows) in the file.</param>
/// <param name="RunId">The run that computed the file (days not touched by a later run keep their older file).</param>
public sealed record BatchViewDay(DateOnly Day, string File, long Rows, string RunId);
