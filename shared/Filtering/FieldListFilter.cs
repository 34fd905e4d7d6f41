using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary>
/// A <c>where</c> expression of the catalog's filter language (<see cref="Filter"/>) compiled over a given list of
/// named, typed fields instead of a whole source (e.g. a view's dimensions), and evaluated over values given in that
/// list's order (e.g. a stored group's dimension values).
/// </summary>
public sealed class FieldListFilter
{
    /// <summary>One scratch record per thread: evaluation is synchronous, so a thread evaluates one expression at a time.</summary>
    [ThreadStatic]
    private static EventRecord? t_scratch;

    private readonly Filter _filter;
    private readonly SourceDefinition _fields;

    private FieldListFilter(Filter filter, SourceDefinition fields)
    {
        _filter = filter;
        _fields = fields;
    }

    /// <summary>The normalised expression (see <see cref="Filter.CanonicalText"/>).</summary>
    public string CanonicalText => _filter.CanonicalText;

    /// <summary>
    /// Compiles <paramref name="text"/> over <paramref name="fields"/> (names and types; their ordinals are ignored:
    /// values are matched by position in this list).
    /// </summary>
    /// <param name="text">The expression; must not be empty.</param>
    /// <param name="fields">The fields the expression may name.</param>
    /// <param name="scope">How an unknown field's message says where the fields come from, e.g. <c>a dimension of view 'v'</c>.</param>
    /// <exception cref="FilterException">A syntax error, an unknown field or a literal of the wrong type; <see cref="FilterException.Position"/> says where.</exception>
    public static FieldListFilter Compile(string text, IReadOnlyList<FieldDefinition> fields, string scope)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        // Derived fields stay marked as such: their values may be null, which a comparison never matches.
        var renumbered = fields.Select((f, i) => f with { Ordinal = i }).ToArray();
        var source = new SourceDefinition(scope, scope, string.Empty, renumbered, null);
        var root = FilterCompiler.Compile(text, source, out var used, scope);
        return new FieldListFilter(Filter.FromCompiled(text, root, used), source);
    }

    /// <summary>
    /// The token at 1-based <paramref name="position"/> of <paramref name="text"/> as an error message would quote it
    /// (<c>'device'</c>, or <c>the end of the expression</c>).
    /// </summary>
    public static string DescribeTokenAt(string text, int position)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (position < 1 || position > text.Length)
        {
            return "the end of the expression";
        }

        try
        {
            foreach (var token in FilterLexer.Tokenize(text))
            {
                if (token.Position == position)
                {
                    return token.Describe();
                }
            }
        }
        catch (FilterException)
        {
            // The lexer itself failed at or before this position: quote the raw characters there instead.
        }

        var end = position - 1;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('(' or ')' or ','))
        {
            end++;
        }

        return $"'{text[(position - 1)..Math.Max(end, position)]}'";
    }

    /// <summary>True when <paramref name="values"/> (one per field, in the order compiled with) satisfy the expression.</summary>
    public bool Matches(IReadOnlyList<FieldValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var record = t_scratch;
        if (record is null || !ReferenceEquals(record.Source, _fields))
        {
            t_scratch = record = new EventRecord(_fields);
        }

        record.Reset();
        foreach (var field in _filter.Fields)
        {
            if (!values[field.Ordinal].IsNull)
            {
                record.SetValue(field.Ordinal, values[field.Ordinal]);
            }
        }

        return _filter.Matches(record);
    }

    /// <summary>The canonical text.</summary>
    public override string ToString() => CanonicalText;
}
