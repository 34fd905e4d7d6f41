using Lambda.BatchLayer.AdHoc;
using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Status;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.BatchLayer.Tests.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.AdHoc;

public sealed class RunHistoryBatchViewFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("batch-history-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Each_day_contributes_the_newest_existing_file_of_the_views_current_definition()
    {
        var view = TestViews.Revenue;
        var store = new InMemoryBatchRunStore();
        var t0 = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        await Publish(store, t0, ("d1-old", new DateOnly(2026, 11, 24), view.DefinitionHash), ("d2", new DateOnly(2026, 11, 25), view.DefinitionHash));
        await Publish(store, t0.AddHours(1), ("d1-new", new DateOnly(2026, 11, 24), view.DefinitionHash), ("old-definition", new DateOnly(2026, 11, 26), "0000000000000000"));
        foreach (var name in new[] { "d1-old", "d1-new", "d2", "old-definition" })
        {
            await File.WriteAllTextAsync(Path.Combine(_root, name + ".parquet"), "x");
        }

        var files = await new RunHistoryBatchViewFiles(store, TestViews.Default, NullLogger<RunHistoryBatchViewFiles>.Instance).GetAsync(_root, CancellationToken.None);

        var only = Assert.Single(files);
        Assert.Equal(view.Name, only.Key);
        Assert.Equal([Path.Combine(_root, "d1-new.parquet"), Path.Combine(_root, "d2.parquet")], only.Value);
    }

    private static async Task Publish(InMemoryBatchRunStore store, DateTimeOffset at, params (string File, DateOnly Day, string Hash)[] days)
    {
        var id = Guid.CreateVersion7(at);
        await store.StartAsync(new BatchRunStart { Id = id, Request = new RecomputeRequest(), RequestedBy = "t", Host = "h", StartedAt = at }, CancellationToken.None);
        var result = new RecomputeResult
        {
            RunId = id.ToString(),
            NothingToDo = false,
            Days = days.Select(d => new RecomputedDay("revenue_by_country", d.Day, 1, d.File + ".parquet")).ToArray(),
            RowsRead = 1,
            RowsWritten = 1,
            StartedAt = at,
            FinishedAt = at,
        };
        await store.RecordResultAsync(
            id, result, days.Select(d => new BatchRunDay(id, "revenue_by_country", d.Hash, d.Day, d.File + ".parquet", 1, at, null)).ToList(), CancellationToken.None);
    }
}
