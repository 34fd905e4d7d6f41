using Lambda.Shared.Events;
using Lambda.SpeedLayer.Tests.Support;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Pipeline;

/// <summary>
/// Kappa replay's entry to the pipeline (<c>SpeedPipeline.ProcessArchived</c>): events read back from the master dataset
/// (already parsed, only the valid ones, with their offsets) end in the same views as the same messages from Kafka, every
/// one once across a crash, without dead letters, and the last flush covers the archive's end.
/// </summary>
public sealed class ArchivedEventsPipelineTests
{
    private const string Topic = "shop-events";
    private const int Partitions = 3;
    private static readonly LambdaCatalog Catalog = TestCatalog.Parse(Topic);

    [Fact]
    public async Task Archived_events_fold_into_the_views_like_the_oracle_once_across_a_crash_and_cover_the_archive_end()
    {
        await using var driver = new SpeedPipelineDriver(Catalog, new SpeedLayerOptions
        {
            FlushMaxEvents = 300,
            FlushInterval = TimeSpan.FromHours(1),
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        });
        var source = Catalog.Sources.Single(s => s.Topic == Topic);
        var parser = new EventParser(source);
        var generator = new EventGenerator(23, 0.05);
        var oracle = new Oracle(Catalog);
        var archive = new List<(long Offset, EventRecord? Event)>[Partitions];
        for (var p = 0; p < Partitions; p++)
        {
            archive[p] = [];
        }

        for (var i = 0; i < 4_000; i++)
        {
            var generated = generator.Next(i);
            oracle.Add(generated);
            // What the archiver keeps: the valid events with their offsets; a reject leaves a gap.
            var partition = i % Partitions;
            archive[partition].Add((archive[partition].Count, parser.TryParse(generated.Value, out var parsed, out _) ? parsed : null));
        }

        Assert.Contains(archive.SelectMany(a => a), e => e.Event is null);
        await driver.StartAsync(Topic, 0, 1, 2);
        Replay(driver, archive, from: new long[Partitions], perPartition: 600);
        await driver.FlushAsync();
        Replay(driver, archive, from: Enumerable.Repeat(600L, Partitions).ToArray(), perPartition: 400);
        // Killed with events folded in but not flushed: they are read again from what the store holds.
        await driver.CrashAsync();
        var starts = await driver.StartAsync(Topic, 0, 1, 2);
        // The flushed part is kept (a reject at the end of it leaves the start a little lower), the rest is read again.
        Assert.All(starts.Values, start => Assert.InRange(start, 590, 600));
        Replay(driver, archive, from: [.. Enumerable.Range(0, Partitions).Select(p => starts[p])], perPartition: int.MaxValue);
        for (var p = 0; p < Partitions; p++)
        {
            driver.Pipeline.AdvanceTo(Topic, p, archive[p].Count - 1);
        }

        await driver.FlushAsync();

        foreach (var view in Catalog.Views)
        {
            oracle.AssertEqual(view, await driver.ReadAsync(view));
            var stored = await driver.Store.GetMaxOffsetsAsync(view, CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, Partitions).Select(p => (long)archive[p].Count - 1), Enumerable.Range(0, Partitions).Select(p => stored[p]));
        }

        Assert.Empty(driver.DeadLetters.Letters);
    }

    /// <summary>Feeds each partition's archived events in offset order: <paramref name="perPartition"/> offsets from <paramref name="from"/>.</summary>
    private static void Replay(SpeedPipelineDriver driver, List<(long Offset, EventRecord? Event)>[] archive, long[] from, int perPartition)
    {
        for (var p = 0; p < Partitions; p++)
        {
            foreach (var (offset, record) in archive[p].Where(e => e.Offset >= from[p]).Take(perPartition))
            {
                if (record is not null)
                {
                    driver.Pipeline.ProcessArchived(Topic, p, offset, record);
                }
            }
        }
    }
}
