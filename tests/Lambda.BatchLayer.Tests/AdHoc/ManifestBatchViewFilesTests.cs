using Lambda.BatchLayer.AdHoc;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.Shared.BatchViews;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.AdHoc;

public sealed class ManifestBatchViewFilesTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
    private readonly string _root = Directory.CreateTempSubdirectory("batch-manifest-files-").FullName;
    private readonly string _otherRoot = Directory.CreateTempSubdirectory("batch-manifest-other-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_otherRoot, recursive: true);
    }

    [Fact]
    public async Task The_files_are_the_days_the_manifest_names_for_views_of_the_current_definition()
    {
        var revenue = TestCatalogs.RevenueByCountry;
        var status = TestCatalogs.Default.GetView("orders_by_status");
        var days = new[] { new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 24) };
        var revenueEntry = await PublishFilesAsync(_root, revenue, revenue.DefinitionHash, "run-2", days);
        var staleEntry = await PublishFilesAsync(_root, status, new string('0', 64), "run-1", days[..1]);
        await new ManifestStore(_root).PublishAsync(Manifest("run-2", revenueEntry, staleEntry), null, CancellationToken.None);

        var files = await Files(_root).GetAsync(_root, CancellationToken.None);

        var only = Assert.Single(files);
        Assert.Equal(revenue.Name, only.Key);
        Assert.Equal(days.Select(d => Path.Combine(_root, BatchViewLayout.DayFile(revenue, "run-2", d))), only.Value);
        Assert.All(only.Value, f => Assert.True(File.Exists(f), f));
    }

    [Fact]
    public async Task Another_root_is_answered_from_its_own_manifest_and_no_manifest_means_no_views()
    {
        var revenue = TestCatalogs.RevenueByCountry;
        var day = new DateOnly(2026, 11, 24);
        var entry = await PublishFilesAsync(_otherRoot, revenue, revenue.DefinitionHash, "run-9", [day]);
        await new ManifestStore(_otherRoot).PublishAsync(Manifest("run-9", entry), null, CancellationToken.None);
        var source = Files(_root);

        Assert.Empty(await source.GetAsync(_root, CancellationToken.None));
        var other = await source.GetAsync(_otherRoot, CancellationToken.None);
        Assert.Equal([Path.Combine(_otherRoot, BatchViewLayout.DayFile(revenue, "run-9", day))], other[revenue.Name]);
    }

    private static ManifestBatchViewFiles Files(string root) =>
        new(new ManifestStore(root), TestCatalogs.Default, NullLogger<ManifestBatchViewFiles>.Instance);

    private static BatchManifest Manifest(string runId, params BatchViewEntry[] entries) => new()
    {
        RunId = runId,
        PublishedAt = T0,
        Views = entries.ToDictionary(e => e.View, StringComparer.Ordinal),
    };

    private static async Task<BatchViewEntry> PublishFilesAsync(
        string root, Shared.Catalog.ViewDefinition view, string hash, string runId, IReadOnlyList<DateOnly> days)
    {
        var published = new List<BatchViewDay>();
        foreach (var day in days)
        {
            var relative = BatchViewLayout.DayFile(view, runId, day);
            var rows = await BatchViewTestFiles.WriteAsync(BatchViewLayout.Resolve(root, relative), view, [], day);
            published.Add(new BatchViewDay(day, relative, rows, runId));
        }

        return new BatchViewEntry
        {
            View = view.Name,
            Source = view.Source.Name,
            DefinitionHash = hash,
            RunId = runId,
            ComputedAt = T0,
            Watermarks = new Dictionary<int, long> { [0] = 10 },
            Days = published,
        };
    }
}
