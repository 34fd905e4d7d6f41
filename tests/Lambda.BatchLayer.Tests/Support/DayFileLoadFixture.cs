using Lambda.BatchLayer.AnalystViews;
using Lambda.BatchLayer.Loading;
using Lambda.BatchLayer.Tests.Loading;
using Lambda.Shared.Aggregation;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.BatchLayer.Tests.Support;

/// <summary>
/// What a stack test of loading batch-view day files into ClickHouse starts from: a database of its own on the stack's
/// server, a dataset root of its own on disk (both removed on dispose), the day files it writes under that root, and the
/// loader or publisher that reads them from there.
/// </summary>
internal sealed class DayFileLoadFixture : IAsyncDisposable
{
    /// <summary>Names the database <c>&lt;databasePrefix&gt;_&lt;random&gt;</c> and the root <c>&lt;rootPrefix&gt;&lt;random&gt;</c> in the temp folder.</summary>
    public DayFileLoadFixture(string databasePrefix, string rootPrefix)
    {
        ClickHouse = new ClickHouseTestDatabase(prefix: databasePrefix);
        Root = Directory.CreateTempSubdirectory(rootPrefix).FullName;
    }

    /// <summary>The test's database.</summary>
    public ClickHouseTestDatabase ClickHouse { get; }

    /// <summary>The dataset root the day files are written under.</summary>
    public string Root { get; }

    /// <summary>Creates the database.</summary>
    public Task InitializeAsync() => ClickHouse.InitializeAsync();

    /// <summary>The absolute path of <paramref name="file"/> under <see cref="Root"/>.</summary>
    public string PathOf(string file) => Path.Combine(Root, file);

    /// <summary>A loader over the database and the root, as the batch layer registers it.</summary>
    public ClickHouseBatchViewLoader CreateLoader() =>
        new(ClickHouse.Client, new BatchViewReader(Root), TimeProvider.System, NullLogger<ClickHouseBatchViewLoader>.Instance);

    /// <summary>A publisher of <paramref name="catalog"/>'s exact views over the database, reading the manifests and files under the root.</summary>
    public ClickHouseExactViewPublisher CreatePublisher(Catalog catalog) => new(
        ClickHouse.Client,
        new BatchViewReader(Root),
        catalog,
        new ManifestStore(Root),
        TimeProvider.System,
        NullLogger<ClickHouseExactViewPublisher>.Instance);

    /// <summary>
    /// Writes <paramref name="groups"/> to <paramref name="file"/> under the root, the file stamped with <paramref name="fileDay"/>
    /// (default <paramref name="day"/>; another day makes a file a load must refuse), and returns it as a manifest of
    /// <paramref name="run"/> names it for <paramref name="day"/>, with its path.
    /// </summary>
    public async Task<BatchDayFile> WriteDayFileAsync(
        ViewDefinition view, string file, DateOnly day, string run, IReadOnlyList<ViewGroup> groups, DateOnly? fileDay = null)
    {
        var path = PathOf(file);
        await BatchViewTestFiles.WriteAsync(path, view, groups, fileDay ?? day);
        return new BatchDayFile(new BatchViewDay(day, file, groups.Count, run), path);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await ClickHouse.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
