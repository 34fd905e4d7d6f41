using Lambda.Shared.BatchViews;

namespace Lambda.BatchLayer.Loading;

/// <summary>A published day of a view to load: the manifest's entry for the day and the absolute path of its file.</summary>
/// <param name="Day">The day as the manifest names it (run id, file relative to the dataset root).</param>
/// <param name="Path">The absolute path of <paramref name="Day"/>'s file.</param>
public sealed record BatchDayFile(BatchViewDay Day, string Path);
