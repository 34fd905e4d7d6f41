using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary>
/// A compiled <c>where</c> condition over the fields of one source. Compiled once (at catalog load),
/// then evaluated per event without allocating.
/// </summary>
/// <remarks>The language (operators, literals, how each field type compares): see docs/design-notes.md#filter-language.</remarks>
public sealed class Filter
{
    private readonly FilterNode _root;
    private readonly bool _readsDerived;

    private Filter(string? text, FilterNode root, IReadOnlyList<FieldDefinition> fields)
    {
        Text = text;
        Fields = fields;
        _root = root;
        CanonicalText = FilterCompiler.Canonical(root);
        IsMatchAll = root is ConstantNode { Value: true };
        _readsDerived = fields.Any(f => f.IsDerived);
    }

    /// <summary>A filter that accepts every event.</summary>
    public static Filter MatchAll { get; } = new(null, ConstantNode.True, []);

    /// <summary>The expression as written; null for <see cref="MatchAll"/>.</summary>
    public string? Text { get; }

    /// <summary>
    /// The normalised expression: fully parenthesised, keywords upper case, literals in canonical form,
    /// IN lists sorted and de-duplicated. Equal for expressions that differ only in spelling.
    /// </summary>
    public string CanonicalText { get; }

    /// <summary>True when the filter accepts every event.</summary>
    public bool IsMatchAll { get; }

    /// <summary>
    /// The fields the expression reads, in ordinal order (empty for <see cref="MatchAll"/>). A caller that
    /// fills records only partially (e.g. reading selected columns) must set at least these.
    /// </summary>
    public IReadOnlyList<FieldDefinition> Fields { get; }

    /// <summary>Compiles <paramref name="text"/> against the fields of <paramref name="source"/>; null or white space gives <see cref="MatchAll"/>.</summary>
    /// <exception cref="FilterException">A syntax error, an unknown field or a literal of the wrong type; the message names the position.</exception>
    public static Filter Compile(string? text, SourceDefinition source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrWhiteSpace(text))
        {
            return MatchAll;
        }

        var root = FilterCompiler.Compile(text, source, out var fields);
        return new Filter(text, root, fields);
    }

    /// <summary>Wraps an expression compiled elsewhere in this folder (e.g. over a field list, <see cref="FieldListFilter"/>).</summary>
    internal static Filter FromCompiled(string text, FilterNode root, IReadOnlyList<FieldDefinition> fields) => new(text, root, fields);

    /// <summary>
    /// True when <paramref name="record"/> satisfies the condition (derived fields it reads are computed first, see
    /// <see cref="EventRecord.ComputeDerived"/>). The record must belong to the filter's source.
    /// </summary>
    public bool Matches(EventRecord record)
    {
        if (_readsDerived)
        {
            record.ComputeDerived();
        }

        return _root.Evaluate(record);
    }

    /// <summary>The canonical text.</summary>
    public override string ToString() => CanonicalText;
}
