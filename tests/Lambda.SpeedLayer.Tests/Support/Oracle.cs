using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>The expected content of every view: a fresh <see cref="ViewAggregator"/> per view over the valid generated events.</summary>
internal sealed class Oracle
{
    private readonly EventParser _parser;
    private readonly EventRecord _record;
    private readonly Dictionary<string, ViewAggregator> _views = new(StringComparer.Ordinal);

    public Oracle(LambdaCatalog catalog)
    {
        var source = catalog.GetSource(TestCatalog.Source);
        _parser = new EventParser(source);
        _record = _parser.CreateRecord();
        foreach (var view in catalog.ViewsOf(source))
        {
            _views.Add(view.Name, new ViewAggregator(view));
        }
    }

    public long Accepted { get; private set; }

    public void Add(GeneratedEvent generated)
    {
        if (!_parser.TryParse(generated.Value, _record, out var rejection))
        {
            Assert.Equal(generated.ExpectedRejection, rejection.Reason);
            return;
        }

        Assert.Null(generated.ExpectedRejection);
        Accepted++;
        foreach (var aggregator in _views.Values)
        {
            aggregator.Add(_record);
        }
    }

    public IReadOnlyList<ViewGroup> Expected(ViewDefinition view) => _views[view.Name].GetSortedGroups();

    /// <summary>Asserts that <paramref name="actual"/> holds exactly the expected groups of <paramref name="view"/>, states byte for byte.</summary>
    public void AssertEqual(ViewDefinition view, IReadOnlyList<ViewGroup> actual)
    {
        var expected = Expected(view);
        var difference = ViewAggregator.FindDifference(expected, actual);
        Assert.True(difference is null, $"view {view.Name}: {difference} ({expected.Count} groups expected, {actual.Count} read)");
    }
}
