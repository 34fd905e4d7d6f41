using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.Shared.Batch;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// Engine steps that stand in for the real recompute engine: they write real batch-view Parquet files
/// under <c>&lt;root&gt;/views/&lt;view&gt;/&lt;hash8&gt;/run=&lt;runId&gt;/day=&lt;day&gt;.parquet</c>, publish them
/// in the root's manifest and report them.
/// </summary>
public static class PublishingSteps
{
    public static Func<RecomputeRequest, IProgress<RecomputeProgress>?, CancellationToken, Task<RecomputeResult>> Publish(
        string root, ViewDefinition view, IReadOnlyDictionary<DateOnly, List<string>> eventsByDay)
    {
        return async (_, progress, cancellationToken) =>
        {
            var started = DateTimeOffset.UtcNow;
            var runId = "run" + Guid.CreateVersion7().ToString("N");
            var days = new List<RecomputedDay>();
            long rowsRead = 0, rowsWritten = 0;
            foreach (var (day, events) in eventsByDay.OrderBy(e => e.Key))
            {
                var groups = TestViews.Aggregate(view, events);
                var relative = BatchViewLayout.DayFile(view, runId, day);
                await BatchViewTestFiles.WriteAsync(BatchViewLayout.Resolve(root, relative), view, groups);
                rowsRead += events.Count;
                rowsWritten += groups.Count;
                days.Add(new RecomputedDay(view.Name, day, groups.Count, relative));
                progress?.Report(new RecomputeProgress("write", days.Count, eventsByDay.Count, rowsRead));
            }

            if (days.Count > 0)
            {
                await TestManifests.PublishAsync(root, view, runId, days, cancellationToken);
            }

            return new RecomputeResult
            {
                RunId = runId,
                NothingToDo = days.Count == 0,
                Days = days,
                RowsRead = rowsRead,
                RowsWritten = rowsWritten,
                StartedAt = started,
                FinishedAt = DateTimeOffset.UtcNow,
            };
        };
    }
}
