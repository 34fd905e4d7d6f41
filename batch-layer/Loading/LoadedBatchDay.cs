namespace Lambda.BatchLayer.Loading;

/// <summary>What a batch table holds for one day: the published file last loaded into it.</summary>
/// <param name="Day">The UTC day (the table's partition).</param>
/// <param name="RunId">The recompute run that computed the file (<see cref="Shared.BatchViews.BatchViewDay.RunId"/>).</param>
/// <param name="File">The file as the manifest names it, relative to its dataset root.</param>
/// <param name="Rows">Rows loaded from it.</param>
/// <param name="LoadedAt">When the load finished (UTC, whole seconds).</param>
public sealed record LoadedBatchDay(DateOnly Day, string RunId, string File, long Rows, DateTimeOffset LoadedAt);
