using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary>
/// A compiled <c>where</c> condition over the fields of one source. Compiled once (at catalog load),
/// then evaluated per event without allocating.
/// </summary>
/// <remarks>
/// <para>Language: comparisons <c>field op literal</c> with <c>=</c> (also <c>==</c>), <c>!=</c> (also <c>&lt;&gt;</c>),
/// <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>; <c>field IN (v1, v2, ...)</c> and <c>field NOT IN (...)</c>;
/// <c>AND</c>, <c>OR</c>, <c>NOT</c> (keywords in any case) with the usual precedence NOT &gt; AND &gt; OR;
/// parentheses. Literals: <c>'text'</c> (a quote inside is doubled: <c>'it''s'</c>), numbers
/// (<c>12</c>, <c>-3.5</c>, <c>1e6</c>), <c>TRUE</c>/<c>FALSE</c>.</para>
/// <para>Types: string fields take string literals and compare by UTF-8 bytes (Unicode code point
/// order); long and decimal fields take numbers and compare exactly (<c>amount &gt; 10.005</c> on a
/// decimal(18,2) field never rounds); double fields compare as doubles; bool fields take TRUE/FALSE with
/// = and != only; timestamp fields take ISO-8601 strings with an offset or epoch milliseconds.</para>
/// </remarks>
public sealed class Filter
{
    private readonly FilterNode _root;

    private Filter(string? text, FilterNode root, IReadOnlyList<FieldDefinition> fields)
    {
        Text = text;
        Fields = fields;
        _root = root;
        CanonicalText = FilterCompiler.Canonical(root);
        IsMatchAll = root is ConstantNode { Value: true };
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

    /// <summary>True when <paramref name="record"/> satisfies the condition. The record must belong to the filter's source.</summary>
    public bool Matches(EventRecord record) => _root.Evaluate(record);

    /// <summary>The canonical text.</summary>
    public override string ToString() => CanonicalText;
}
