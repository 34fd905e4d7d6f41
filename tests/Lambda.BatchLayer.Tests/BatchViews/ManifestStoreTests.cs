using Lambda.Shared.BatchViews;

namespace Lambda.BatchLayer.Tests.BatchViews;

/// <summary>The manifest-store contract on the local kind, and the manifest file's own format.</summary>
public sealed class ManifestStoreTests : ManifestStoreContract
{
    protected override IManifestStore Open(string root) => new ManifestStore(root);

    [Fact]
    public async Task A_publish_leaves_only_the_manifest_file_in_the_views_directory()
    {
        var manifest = Manifest("run-1", ("2026-11-23", "run-1"));
        CreateFiles(manifest);
        await Open(RootPath).PublishAsync(manifest, null, CancellationToken.None);
        Assert.Equal([BatchViewLayout.ManifestFileName], Directory.GetFiles(BatchViewLayout.ViewsDirectory(RootPath)).Select(Path.GetFileName));
    }

    [Fact]
    public void An_entry_gives_its_watermark_and_the_file_keeps_the_format_1_members()
    {
        var manifest = Manifest("run-1", ("2026-11-23", "run-1"));

        var watermark = manifest.FindView("revenue_by_country")!.Watermark;
        var json = System.Text.Json.JsonDocument.Parse(ManifestStore.Serialize(manifest)).RootElement.GetProperty("views").GetProperty("revenue_by_country");

        Assert.Equal(new ViewWatermark("run-1", new DateTimeOffset(2026, 11, 25, 2, 59, 0, TimeSpan.Zero), "0123456789abcdef", watermark.Partitions, ViewWatermark.NoOffsets), watermark);
        Assert.Equal(new Dictionary<int, long> { [0] = 10, [3] = 1234 }, watermark.Partitions);
        Assert.Equal(["view", "source", "definitionHash", "runId", "computedAt", "watermarks", "days"], json.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("\"formatVersion\": 1", "\"formatVersion\": 7", "formatVersion 7")]
    [InlineData("\"day\": \"2026-11-24\"", "\"day\": \"2026-11-22\"", "days[1]")]
    [InlineData("views/revenue_by_country/", "../revenue_by_country/", "days[0].file")]
    [InlineData("\"rows\": 10", "\"rows\": -1", "rows is negative")]
    [InlineData("\"3\": 1234", "\"3\": -5", "watermarks")]
    [InlineData("\"view\": \"revenue_by_country\"", "\"view\": \"other\"", "views.revenue_by_country.view")]
    [InlineData("\"runId\": \"run-1\",\n  \"publishedAt\"", "\"runId\": \"a/b\",\n  \"publishedAt\"", "runId")]
    [InlineData("\"publishedAt\"", "\"publishedAt\": 5, \"x\"", "not a valid batch-view manifest")]
    public void Invalid_manifests_are_rejected_naming_the_field(string original, string replacement, string expected)
    {
        var json = ManifestStore.Serialize(Manifest("run-1", ("2026-11-23", "run-1"), ("2026-11-24", "run-1")));
        Assert.Contains(original, json, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => ManifestStore.Deserialize(json.Replace(original, replacement, StringComparison.Ordinal)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
