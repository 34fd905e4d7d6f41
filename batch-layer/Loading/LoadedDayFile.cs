using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;

namespace Lambda.BatchLayer.Loading;

/// <summary>A day file read and checked (<see cref="DayFileBatch"/>): the manifest's day and its groups.</summary>
/// <param name="Day">The day as the manifest names it.</param>
/// <param name="Groups">The file's rows, all inside the day.</param>
public sealed record LoadedDayFile(BatchViewDay Day, IReadOnlyList<ViewGroup> Groups);
