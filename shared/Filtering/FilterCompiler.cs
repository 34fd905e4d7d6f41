using System.Globalization;
using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;

namespace Lambda.Shared.Filtering;

/// <summary>
/// Recursive-descent parser for the filter language that binds field names to the source and checks
/// literal types as it goes, producing <see cref="FilterNode"/>s. Grammar (keywords case-insensitive):
/// <code>
/// expr       := and ( OR and )*
/// and        := unary ( AND unary )*
/// unary      := NOT unary | '(' expr ')' | predicate
/// predicate  := field op literal | field [NOT] IN '(' literal ( ',' literal )* ')'
/// op         := = | == | != | &lt;&gt; | &lt; | &lt;= | &gt; | &gt;=
/// literal    := 'text' (quote doubled inside) | number | TRUE | FALSE
/// </code>
/// </summary>
internal sealed class FilterCompiler
{
    private readonly List<FilterToken> _tokens;
    private readonly SourceDefinition _source;
    private readonly string _scope;
    private readonly SortedSet<int> _ordinals = [];
    private int _next;

    private FilterCompiler(List<FilterToken> tokens, SourceDefinition source, string? scope)
    {
        _tokens = tokens;
        _source = source;
        _scope = scope ?? $"in source '{source.Name}'";
    }

    public static FilterNode Compile(string text, SourceDefinition source) => Compile(text, source, out _);

    /// <summary>Compiles <paramref name="text"/> and reports the fields the expression reads, in ordinal order.</summary>
    /// <param name="scope">How an unknown field's message names where fields come from (default: <c>in source '&lt;name&gt;'</c>).</param>
    public static FilterNode Compile(string text, SourceDefinition source, out IReadOnlyList<FieldDefinition> fields, string? scope = null)
    {
        var compiler = new FilterCompiler(FilterLexer.Tokenize(text), source, scope);
        if (compiler.Peek.Kind == FilterTokenKind.End)
        {
            throw new FilterException(1, "the expression is empty");
        }

        var node = compiler.ParseOr();
        compiler.Peek.ExpectEnd("AND, OR");

        var all = source.Fields.Concat(source.DerivedFields).ToArray();
        fields = compiler._ordinals.Select(o => all[o]).ToArray();
        return node;
    }

    internal static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private FilterToken Peek => _tokens[_next];

    private FilterToken Take() => _tokens[_next++];

    private FilterNode ParseOr()
    {
        var left = ParseAnd();
        while (Peek.Kind == FilterTokenKind.Or)
        {
            Take();
            left = new OrNode(left, ParseAnd());
        }

        return left;
    }

    private FilterNode ParseAnd()
    {
        var left = ParseUnary();
        while (Peek.Kind == FilterTokenKind.And)
        {
            Take();
            left = new AndNode(left, ParseUnary());
        }

        return left;
    }

    private FilterNode ParseUnary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case FilterTokenKind.Not:
                Take();
                return new NotNode(ParseUnary());
            case FilterTokenKind.LeftParen:
                Take();
                if (Peek.Kind == FilterTokenKind.RightParen)
                {
                    throw new FilterException(Peek.Position, "empty parentheses");
                }

                var inner = ParseOr();
                var close = Take();
                if (close.Kind != FilterTokenKind.RightParen)
                {
                    throw new FilterException(close.Position, $"expected ')' to close the '(' at position {token.Position}, found {close.Describe()}");
                }

                return inner;
            case FilterTokenKind.Identifier:
                return ParsePredicate();
            case FilterTokenKind.End:
                throw new FilterException(token.Position, "expected a condition, found the end of the expression");
            default:
                throw new FilterException(token.Position, $"expected a field name, NOT or '(', found {token.Describe()}");
        }
    }

    private FilterNode ParsePredicate()
    {
        var fieldToken = Take();
        if (!_source.TryGetField(fieldToken.Text, out var field))
        {
            var hint = string.Equals(fieldToken.Text, _source.TimeField, StringComparison.Ordinal)
                ? $" ('{_source.TimeField}' is the event-time field; views select time through buckets and query ranges)"
                : $"; its fields are {string.Join(", ", _source.Fields.Concat(_source.DerivedFields).Select(f => f.Name))}";
            throw new FilterException(fieldToken.Position, $"field '{fieldToken.Text}' is not {_scope}{hint}");
        }

        _ordinals.Add(field.Ordinal);
        var predicate = ParsePredicate(field, fieldToken);
        return field.IsNullable ? new NullGuardNode(field.Ordinal, predicate) : predicate;
    }

    private FilterNode ParsePredicate(FieldDefinition field, FilterToken fieldToken)
    {
        var token = Peek;
        if (token.Kind == FilterTokenKind.Operator)
        {
            Take();
            var literal = Take();
            return BindComparison(field, fieldToken, token, literal);
        }

        if (token.Kind == FilterTokenKind.In)
        {
            Take();
            return BindIn(field, fieldToken, ParseList());
        }

        if (token.Kind == FilterTokenKind.Not && _tokens[_next + 1].Kind == FilterTokenKind.In)
        {
            Take();
            Take();
            return new NotNode(BindIn(field, fieldToken, ParseList()));
        }

        throw new FilterException(token.Position, $"expected a comparison operator (=, !=, <, <=, >, >=) or IN after '{field.Name}', found {token.Describe()}");
    }

    private List<FilterToken> ParseList()
    {
        var open = Take();
        if (open.Kind != FilterTokenKind.LeftParen)
        {
            throw new FilterException(open.Position, $"expected '(' after IN, found {open.Describe()}");
        }

        var items = new List<FilterToken>();
        while (true)
        {
            var item = Take();
            if (item.Kind == FilterTokenKind.RightParen && items.Count == 0)
            {
                throw new FilterException(item.Position, "IN needs at least one value");
            }

            if (!IsLiteral(item.Kind))
            {
                throw new FilterException(item.Position, $"expected a value in the IN list, found {item.Describe()}");
            }

            items.Add(item);
            var separator = Take();
            if (separator.Kind == FilterTokenKind.RightParen)
            {
                return items;
            }

            if (separator.Kind != FilterTokenKind.Comma)
            {
                throw new FilterException(separator.Position, $"expected ',' or ')' in the IN list, found {separator.Describe()}");
            }
        }
    }

    private static bool IsLiteral(FilterTokenKind kind) =>
        kind is FilterTokenKind.String or FilterTokenKind.Number or FilterTokenKind.True or FilterTokenKind.False;

    private FilterNode BindComparison(FieldDefinition field, FilterToken fieldToken, FilterToken opToken, FilterToken literal)
    {
        if (!IsLiteral(literal.Kind))
        {
            throw new FilterException(literal.Position, $"expected a value after '{opToken.Text}', found {literal.Describe()}");
        }

        var op = opToken.Operator;
        switch (field.Type.Kind)
        {
            case FieldKind.String:
                RequireKind(field, literal, FilterTokenKind.String, "a quoted string, e.g. 'paid'");
                return new StringComparisonNode(field.Ordinal, field.Name, op, literal.Text);

            case FieldKind.Bool:
                if (op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
                {
                    throw new FilterException(opToken.Position, $"field '{field.Name}' is bool; only = and != apply");
                }

                var b = BoolLiteral(field, literal);
                return new ExactComparisonNode(field.Ordinal, field.Name, op, b ? 1 : 0, true, b ? "TRUE" : "FALSE");

            case FieldKind.Double:
                var d = DoubleLiteral(field, literal);
                return new DoubleComparisonNode(field.Ordinal, field.Name, op, d, FormatDouble(d));

            default:
                var exact = ExactLiteral(field, literal);
                if (exact.Above || exact.Below)
                {
                    // Every value of the field lies on one side of the literal.
                    return op.Holds(exact.Above ? -1 : 1) ? ConstantNode.True : ConstantNode.False;
                }

                return new ExactComparisonNode(field.Ordinal, field.Name, op, exact.Threshold, exact.Exact, exact.Canonical);
        }
    }

    private FilterNode BindIn(FieldDefinition field, FilterToken fieldToken, List<FilterToken> items)
    {
        switch (field.Type.Kind)
        {
            case FieldKind.String:
                foreach (var item in items)
                {
                    RequireKind(field, item, FilterTokenKind.String, "quoted strings, e.g. 'US'");
                }

                var strings = items.Select(i => i.Text).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                return new StringInNode(field.Ordinal, field.Name, strings);

            case FieldKind.Double:
                var doubles = items.Select(i => DoubleLiteral(field, i)).Distinct().Order().ToArray();
                return new DoubleInNode(field.Ordinal, field.Name, doubles, doubles.Select(FormatDouble).ToArray());

            case FieldKind.Bool:
                var bools = items.Select(i => BoolLiteral(field, i) ? 1L : 0L).Distinct().Order().ToArray();
                return new ExactInNode(field.Ordinal, field.Name, bools, bools.Select(v => v == 1 ? "TRUE" : "FALSE").ToArray());

            default:
                var exact = items.Select(i => ExactLiteral(field, i))
                    .Where(e => e.Exact && !e.Above && !e.Below)
                    .DistinctBy(e => e.Threshold)
                    .OrderBy(e => e.Threshold)
                    .ToArray();
                return exact.Length == 0
                    ? ConstantNode.False
                    : new ExactInNode(field.Ordinal, field.Name, exact.Select(e => e.Threshold).ToArray(), exact.Select(e => e.Canonical).ToArray());
        }
    }

    private static void RequireKind(FieldDefinition field, FilterToken literal, FilterTokenKind kind, string expected)
    {
        if (literal.Kind != kind)
        {
            throw new FilterException(literal.Position, $"field '{field.Name}' is {field.Type}; compare it with {expected}, not {literal.Describe()}");
        }
    }

    private static bool BoolLiteral(FieldDefinition field, FilterToken literal)
    {
        if (literal.Kind is not (FilterTokenKind.True or FilterTokenKind.False))
        {
            throw new FilterException(literal.Position, $"field '{field.Name}' is bool; compare it with TRUE or FALSE, not {literal.Describe()}");
        }

        return literal.Kind == FilterTokenKind.True;
    }

    private static double DoubleLiteral(FieldDefinition field, FilterToken literal)
    {
        RequireKind(field, literal, FilterTokenKind.Number, "a number");
        if (!double.TryParse(literal.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
        {
            throw new FilterException(literal.Position, $"{literal.Text} is outside the range of double");
        }

        return d + 0d;
    }

    private static string FormatDouble(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A literal converted for an exact integer field; see <see cref="ExactComparisonNode"/>.</summary>
    private readonly record struct ExactValue(long Threshold, bool Exact, bool Above, bool Below, string Canonical);

    private static ExactValue ExactLiteral(FieldDefinition field, FilterToken literal)
    {
        if (field.Type.Kind == FieldKind.Timestamp)
        {
            return TimestampLiteral(field, literal);
        }

        RequireKind(field, literal, FilterTokenKind.Number, "a number");
        var scale = field.Type.Kind == FieldKind.Decimal ? field.Type.Scale : 0;
        if (!decimal.TryParse(literal.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            // Beyond decimal's range (~7.9e28): certainly beyond every 64-bit field value.
            var huge = double.Parse(literal.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
            return new ExactValue(0, false, huge > 0, huge < 0, literal.Text);
        }

        var canonical = Normalize(value).ToString(CultureInfo.InvariantCulture);
        decimal scaled;
        try
        {
            scaled = value * DecimalScaling.Pow10(scale);
        }
        catch (OverflowException)
        {
            return new ExactValue(0, false, value > 0, value < 0, canonical);
        }

        var floor = decimal.Floor(scaled);
        if (floor > long.MaxValue)
        {
            return new ExactValue(0, false, true, false, canonical);
        }

        if (floor < long.MinValue)
        {
            return new ExactValue(0, false, false, true, canonical);
        }

        return new ExactValue((long)floor, floor == scaled, false, false, canonical);
    }

    private static ExactValue TimestampLiteral(FieldDefinition field, FilterToken literal)
    {
        long ms;
        if (literal.Kind == FilterTokenKind.String)
        {
            if (!EventTime.TryParse(literal.Text, out ms, out var error))
            {
                throw new FilterException(literal.Position, $"field '{field.Name}' is timestamp; {error ?? $"'{literal.Text}' is not a timestamp"}");
            }
        }
        else if (literal.Kind == FilterTokenKind.Number)
        {
            if (!long.TryParse(literal.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ms)
                || ms < FieldValue.MinTimestampMilliseconds || ms > FieldValue.MaxTimestampMilliseconds)
            {
                throw new FilterException(literal.Position, $"field '{field.Name}' is timestamp; {literal.Text} is not an integer number of epoch milliseconds in range");
            }
        }
        else
        {
            throw new FilterException(literal.Position, $"field '{field.Name}' is timestamp; compare it with an ISO-8601 string such as '2026-01-01T00:00:00Z', not {literal.Describe()}");
        }

        return new ExactValue(ms, true, false, false, Quote(Time.TimeBucket.ToIso(ms)));
    }

    /// <summary>Removes trailing fractional zeros so that 10.50 and 10.5 have one canonical spelling.</summary>
    private static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    /// <summary>Writes <paramref name="node"/>'s canonical text.</summary>
    internal static string Canonical(FilterNode node)
    {
        var sb = new StringBuilder();
        node.WriteCanonical(sb);
        return sb.ToString();
    }
}
