using Lambda.BatchLayer.Scheduling;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Scheduling;

public sealed class BackfillDecisionTests
{
    private static readonly IReadOnlyList<ViewDefinition> Views = TestCatalogs.Default.Views;

    [Fact]
    public void Before_the_first_publish_every_view_needs_a_backfill()
    {
        Assert.Equal(Views.Select(v => v.Name), BackfillDecision.ViewsToBackfill(Views, null));
    }

    [Fact]
    public void Only_views_without_a_batch_view_of_their_current_definition_need_one()
    {
        Assert.True(Views.Count >= 3, "the default catalog has at least three views");
        var manifest = Manifest(
            Entry(Views[0], Views[0].DefinitionHash),
            Entry(Views[1], "an-earlier-definition"));

        var missing = BackfillDecision.ViewsToBackfill(Views, manifest);

        Assert.DoesNotContain(Views[0].Name, missing);
        Assert.Contains(Views[1].Name, missing);
        Assert.Equal(Views.Skip(1).Select(v => v.Name), missing);
    }

    [Fact]
    public void When_every_view_is_published_at_its_definition_none_needs_one()
    {
        var manifest = Manifest([.. Views.Select(v => Entry(v, v.DefinitionHash))]);

        Assert.Empty(BackfillDecision.ViewsToBackfill(Views, manifest));
    }

    private static BatchManifest Manifest(params BatchViewEntry[] entries) => new()
    {
        RunId = "run-1",
        PublishedAt = DateTimeOffset.UnixEpoch,
        Views = entries.ToDictionary(e => e.View, StringComparer.Ordinal),
    };

    private static BatchViewEntry Entry(ViewDefinition view, string hash) => new()
    {
        View = view.Name,
        Source = view.Source.Name,
        DefinitionHash = hash,
        RunId = "run-1",
        ComputedAt = DateTimeOffset.UnixEpoch,
        Watermarks = new Dictionary<int, long> { [0] = 10 },
        Days = [],
    };
}
