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
        DeadLetterOnMiss = views.SelectMany(v => v.Enrichments)
            .Where(e => e.Lookup.OnMissing == Lambda.Shared.Lookups.LookupMissingPolicy.DeadLetter)
            .Aggregate(0L, (mask, e) => mask | (1L << e.Index));
    }

    /// <summary>Bit e: enrichment e is used by a view and its lookup dead-letters a missed event (<c>on_missing: dead_letter</c>).</summary>
    public long DeadLetterOnMiss { get; }

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
