using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.SpeedLayer.Pipeline;

/// <summary>The pipeline of one source (topic): its parser, its views and its assigned partitions.</summary>
internal sealed class SourcePipeline
{
    public SourcePipeline(SourceDefinition source, IReadOnlyList<ViewDefinition> views, EventParserOptions? parserOptions)
    {
        Source = source;
        Parser = new EventParser(source, parserOptions);
        Record = Parser.CreateRecord();
        Views = views;
        ViewStates = views.Select((v, i) => new ViewState(v, i)).ToArray();
    }

    public SourceDefinition Source { get; }

    public EventParser Parser { get; }

    /// <summary>The record every message is parsed into (reused; the pipeline is single-threaded).</summary>
    public EventRecord Record { get; }

    public IReadOnlyList<ViewDefinition> Views { get; }

    public ViewState[] ViewStates { get; }

    public Dictionary<int, PartitionState> Partitions { get; } = [];

    /// <summary>Events processed since the last cut.</summary>
    public long EventsSinceMetrics { get; set; }
}
