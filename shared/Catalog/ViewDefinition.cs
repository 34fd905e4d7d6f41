using System.Diagnostics.CodeAnalysis;
using Lambda.Shared.Filtering;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.Shared.Catalog;

/// <summary>
/// A view: the events of one source that pass a filter, grouped by time bucket and dimension values,
/// with a set of measures per group. Speed and batch layers both compute it with
/// <see cref="Aggregation.ViewAggregator"/>.
/// </summary>
public sealed class ViewDefinition
{
    private readonly Dictionary<string, MeasureDefinition> _measuresByName;

    internal ViewDefinition(
        string name,
        SourceDefinition source,
        Filter filter,
        Granularity granularity,
        IReadOnlyList<FieldDefinition> dimensions,
        IReadOnlyList<MeasureDefinition> measures,
        string? build = null)
    {
        Name = name;
        Build = build;
        Source = source;
        Filter = filter;
        Granularity = granularity;
        Dimensions = dimensions;
        Measures = measures;
        _measuresByName = measures.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var used = dimensions.Concat(measures.Select(m => m.Field).OfType<FieldDefinition>()).Concat(filter.Fields).Distinct().ToArray();
        DerivedFields = used.Where(f => f.IsDerived).OrderBy(f => f.Ordinal).ToArray();
        RawInputFields = source.RawInputsOf(used);
        var lookups = used.SelectMany(f => f.Lookups).ToHashSet(StringComparer.Ordinal);
        Enrichments = source.Enrichments.Where(e => lookups.Contains(e.Lookup.Name)).ToArray();
        CanonicalForm = BuildCanonicalForm();
        DefinitionHash = Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(CanonicalForm)).AsSpan(0, 8));
    }

    /// <summary>
    /// Who builds the view's speed table, when not the Lambda default: <c>kappa</c> in a Kappa deployment, whose speed tables
    /// are built by replaying the master dataset (<see cref="Catalog.ForMode"/>). Part of <see cref="CanonicalForm"/>, so a
    /// Kappa build of a view is its own version (own speed table) beside the Lambda one, and switching modes never mixes them.
    /// </summary>
    public string? Build { get; }

    /// <summary>The view name (a safe identifier, <c>[a-z_][a-z0-9_]*</c>).</summary>
    public string Name { get; }

    /// <summary>The source whose events the view aggregates.</summary>
    public SourceDefinition Source { get; }

    /// <summary>The <c>where</c> text as written in the catalog; null when the view has no filter.</summary>
    public string? FilterText => Filter.Text;

    /// <summary>The compiled filter (<see cref="Filter.MatchAll"/> when the view has none).</summary>
    public Filter Filter { get; }

    /// <summary>The bucket width.</summary>
    public Granularity Granularity { get; }

    /// <summary>The group-by fields, in declaration order.</summary>
    public IReadOnlyList<FieldDefinition> Dimensions { get; }

    /// <summary>The measures, in declaration order.</summary>
    public IReadOnlyList<MeasureDefinition> Measures { get; }

    /// <summary>The derived fields the view uses (as dimension, measure argument or in <c>where</c>), in ordinal order.</summary>
    public IReadOnlyList<FieldDefinition> DerivedFields { get; }

    /// <summary>
    /// The lookup joins of the source whose fields the view uses (directly or through derived fields): their lookups'
    /// <c>on_missing</c> applies to the view, and a new version of their rows can change its results.
    /// </summary>
    public IReadOnlyList<Lookups.EnrichmentDefinition> Enrichments { get; }

    /// <summary>
    /// The declared fields the view reads, derived fields resolved to their inputs (<see cref="SourceDefinition.RawInputsOf"/>):
    /// what a reader filling records column by column must set.
    /// </summary>
    public IReadOnlyList<FieldDefinition> RawInputFields { get; }

    /// <summary>
    /// The canonical text of everything that determines the view's results and storage layout: source
    /// time field, normalised filter, granularity, dimensions with types, measures (names, kinds, field
    /// names and types), the measure-state format version and, when the view uses derived fields, their canonical
    /// expressions. White space and quoting in the catalog file do not change it; the view name does not either.
    /// </summary>
    public string CanonicalForm { get; }

    /// <summary>
    /// 16 lower-case hex digits: the first 8 bytes of SHA-256 over <see cref="CanonicalForm"/> (UTF-8).
    /// Changes whenever the view would compute something else, so tables and files can be versioned by it.
    /// </summary>
    public string DefinitionHash { get; }

    /// <summary>The measure named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The view has no such measure.</exception>
    public MeasureDefinition GetMeasure(string name) =>
        _measuresByName.TryGetValue(name, out var m) ? m : throw new KeyNotFoundException($"measure '{name}' is not in view '{Name}'");

    /// <summary>Looks a measure up by name.</summary>
    public bool TryGetMeasure(string name, [NotNullWhen(true)] out MeasureDefinition? measure) => _measuresByName.TryGetValue(name, out measure);

    /// <summary>The index of dimension <paramref name="name"/> in <see cref="Dimensions"/>, or -1.</summary>
    public int IndexOfDimension(string name)
    {
        for (var i = 0; i < Dimensions.Count; i++)
        {
            if (string.Equals(Dimensions[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>This view as built by <paramref name="build"/> (a new version: another <see cref="DefinitionHash"/>).</summary>
    internal ViewDefinition WithBuild(string? build) =>
        string.Equals(build, Build, StringComparison.Ordinal) ? this : new(Name, Source, Filter, Granularity, Dimensions, Measures, build);

    /// <inheritdoc/>
    public override string ToString() => $"view {Name} ({DefinitionHash})";

    private string BuildCanonicalForm()
    {
        var dims = string.Join(",", Dimensions.Select(d => $"{d.Name}:{d.Type}"));
        var measures = string.Join(
            ",",
            Measures.Select(m => m.Field is null ? $"{m.Name}={m.Kind.ToName()}" : $"{m.Name}={m.Kind.ToName()}({m.Field.Name}:{m.Field.Type})"));
        // Appended only when present, so that the hash (and the tables) of views without derived fields stay as they were.
        var derived = DerivedFields.Count == 0 ? string.Empty : $";derived=[{string.Join(",", DerivedFields.Select(f => $"{f.Name}:{f.Type}={f.Expression}"))}]";
        // Likewise for optional inputs: their nulls and defaults change the results, so a field turning optional is a new view.
        var optional = RawInputFields.Where(f => f.IsOptional).ToArray();
        var optionals = optional.Length == 0 ? string.Empty : $";optional=[{string.Join(",", optional.Select(f => f.Default is { } value ? $"{f.Name}:{f.Type}?={FieldDefaults.Format(value)}" : $"{f.Name}:{f.Type}?"))}]";
        // Likewise for lookups: their columns' types and on_missing policy decide what the view counts.
        var lookups = Enrichments.Count == 0 ? string.Empty : $";lookups=[{string.Join(",", Enrichments.Select(e => e.Lookup.CanonicalForm))}]";
        // Appended only for a non-default build, so Lambda deployments keep their hashes and tables.
        var build = Build is null ? string.Empty : $";build={Build}";
        return $"source={Source.Name};time={Source.TimeField};where={Filter.CanonicalText};granularity={Granularity.ToName()};"
            + $"dimensions=[{dims}];measures=[{measures}];state=v{MeasureState.FormatVersion}{derived}{optionals}{lookups}{build}";
    }
}
