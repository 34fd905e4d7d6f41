using System.Diagnostics.CodeAnalysis;
using Lambda.Shared.Lookups;

namespace Lambda.Shared.Catalog;

/// <summary>
/// The validated set of sources and views that drives every layer. Load one with <see cref="CatalogLoader"/>
/// (or resolve it from DI after <see cref="CatalogServiceCollectionExtensions.AddLambdaCatalog"/>). Immutable and thread-safe.
/// </summary>
/// <remarks>
/// The type shares its name with its namespace; code inside another <c>Lambda.Shared.*</c> namespace
/// refers to it as <c>Catalog.Catalog</c> or through an alias (<c>using LambdaCatalog = Lambda.Shared.Catalog.Catalog;</c>).
/// </remarks>
public sealed class Catalog
{
    private readonly Dictionary<string, SourceDefinition> _sources;
    private readonly Dictionary<string, SourceDefinition> _sourcesByTopic;
    private readonly Dictionary<string, ViewDefinition> _views;

    private readonly Dictionary<string, LookupDefinition> _lookups;

    internal Catalog(IReadOnlyList<SourceDefinition> sources, IReadOnlyList<ViewDefinition> views, string? origin)
        : this([], sources, views, origin)
    {
    }

    internal Catalog(IReadOnlyList<LookupDefinition> lookups, IReadOnlyList<SourceDefinition> sources, IReadOnlyList<ViewDefinition> views, string? origin)
    {
        Lookups = lookups;
        _lookups = lookups.ToDictionary(l => l.Name, StringComparer.Ordinal);
        Sources = sources;
        Views = views;
        Origin = origin;
        _sources = sources.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _sourcesByTopic = sources.ToDictionary(s => s.Topic, StringComparer.Ordinal);
        _views = views.ToDictionary(v => v.Name, StringComparer.Ordinal);
    }

    /// <summary>The lookups (reference data, <c>lookups:</c>) in declaration order.</summary>
    public IReadOnlyList<LookupDefinition> Lookups { get; }

    /// <summary>Looks a lookup up by name.</summary>
    public bool TryGetLookup(string name, [NotNullWhen(true)] out LookupDefinition? lookup) => _lookups.TryGetValue(name, out lookup);

    /// <summary>The sources in declaration order.</summary>
    public IReadOnlyList<SourceDefinition> Sources { get; }

    /// <summary>The views in declaration order.</summary>
    public IReadOnlyList<ViewDefinition> Views { get; }

    /// <summary>Where the catalog was loaded from (a file path), or null when it was parsed from text.</summary>
    public string? Origin { get; }

    /// <summary>The source named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such source.</exception>
    public SourceDefinition GetSource(string name) =>
        _sources.TryGetValue(name, out var s) ? s : throw new KeyNotFoundException($"source '{name}' is not in the catalog");

    /// <summary>Looks a source up by name.</summary>
    public bool TryGetSource(string name, [NotNullWhen(true)] out SourceDefinition? source) => _sources.TryGetValue(name, out source);

    /// <summary>Looks a source up by its Kafka topic (topics are unique across sources).</summary>
    public bool TryGetSourceByTopic(string topic, [NotNullWhen(true)] out SourceDefinition? source) =>
        _sourcesByTopic.TryGetValue(topic, out source);

    /// <summary>The view named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such view.</exception>
    public ViewDefinition GetView(string name) =>
        _views.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"view '{name}' is not in the catalog");

    /// <summary>Looks a view up by name.</summary>
    public bool TryGetView(string name, [NotNullWhen(true)] out ViewDefinition? view) => _views.TryGetValue(name, out view);

    /// <summary>
    /// The catalog as a deployment in <paramref name="mode"/> runs it: itself in Lambda mode; in Kappa mode every view as a
    /// Kappa build (<see cref="ViewDefinition.Build"/>), a view version of its own whose speed table the speed layer fills by
    /// replaying the master dataset, so the Lambda tables (trimmed below the batch watermarks by retention) are never read as
    /// if they held everything.
    /// </summary>
    public Catalog ForMode(Deployment.LambdaMode mode) =>
        mode == Deployment.LambdaMode.Kappa
            ? new Catalog(Lookups, Sources, Views.Select(v => v.WithBuild(Deployment.LambdaModeOptions.KappaName)).ToArray(), Origin)
            : this;

    /// <summary>The views over <paramref name="source"/>, in declaration order.</summary>
    public IReadOnlyList<ViewDefinition> ViewsOf(SourceDefinition source) =>
        Views.Where(v => ReferenceEquals(v.Source, source)).ToArray();

    /// <summary>The views over the source named <paramref name="sourceName"/>, in declaration order.</summary>
    public IReadOnlyList<ViewDefinition> ViewsOf(string sourceName) => ViewsOf(GetSource(sourceName));
}
