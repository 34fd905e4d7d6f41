using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// Parses and type-checks a value expression (the language of <c>where:</c> with arithmetic, functions and CASE), producing
/// typed <see cref="ValueNode"/>s. Grammar (keywords and function names case-insensitive):
/// <code>
/// expr       := and ( OR and )*
/// and        := not ( AND not )*
/// not        := NOT not | comparison
/// comparison := sum [ op sum | [NOT] IN '(' sum ( ',' sum )* ')' ]
/// sum        := product ( ('+' | '-') product )*
/// product    := unary ( ('*' | '/' | '%') unary )*
/// unary      := '-' unary | primary
/// primary    := literal | field | function '(' [ expr ( ',' expr )* ] ')' | '(' expr ')'
///             | CASE ( WHEN expr THEN expr )+ [ ELSE expr ] END
/// </code>
/// Errors are <see cref="FilterException"/>s with the 1-based position of the offending token.
/// </summary>
internal sealed class ExpressionCompiler
{
    private static readonly string[] Functions =
        ["bucket", "coalesce", "concat", "date_trunc", "day_of_week", "hour_of_day", "if", "lower", "split_part", "substring", "trim", "upper"];

    private readonly List<FilterToken> _tokens;
    private readonly ExpressionScope _scope;
    private readonly SortedSet<int> _inputs = [];
    private int _next;

    private ExpressionCompiler(List<FilterToken> tokens, ExpressionScope scope)
    {
        _tokens = tokens;
        _scope = scope;
    }

    /// <summary>Compiles <paramref name="text"/>; <paramref name="fields"/> gets the ordinals of the fields it reads (derived ones included).</summary>
    /// <exception cref="FilterException">A syntax, name or type error; <see cref="FilterException.Position"/> says where.</exception>
    public static ValueNode Compile(string text, ExpressionScope scope, out IReadOnlyList<int> fields)
    {
        var compiler = new ExpressionCompiler(FilterLexer.Tokenize(text, arithmetic: true), scope);
        if (compiler.Peek.Kind == FilterTokenKind.End)
        {
            throw new FilterException(1, "the expression is empty");
        }

        var node = compiler.ParseOr();
        compiler.Peek.ExpectEnd("an operator");

        fields = compiler._inputs.ToArray();
        return node;
    }

    private FilterToken Peek => _tokens[_next];

    private FilterToken Take() => _tokens[_next++];

    private bool PeekWord(string word) => Peek.Kind == FilterTokenKind.Identifier && string.Equals(Peek.Text, word, StringComparison.OrdinalIgnoreCase);

    private FilterToken Expect(FilterTokenKind kind, string what)
    {
        var token = Take();
        return token.Kind == kind ? token : throw new FilterException(token.Position, $"expected {what}, found {token.Describe()}");
    }

    private void ExpectWord(string word, string context)
    {
        var token = Take();
        if (token.Kind != FilterTokenKind.Identifier || !string.Equals(token.Text, word, StringComparison.OrdinalIgnoreCase))
        {
            throw new FilterException(token.Position, $"expected {word} {context}, found {token.Describe()}");
        }
    }

    private ValueNode ParseOr()
    {
        var left = ParseAnd();
        while (Peek.Kind == FilterTokenKind.Or)
        {
            var op = Take();
            left = new LogicalNode(false, RequireBool(left, op, "OR"), RequireBool(ParseAnd(), op, "OR"));
        }

        return left;
    }

    private ValueNode ParseAnd()
    {
        var left = ParseNot();
        while (Peek.Kind == FilterTokenKind.And)
        {
            var op = Take();
            left = new LogicalNode(true, RequireBool(left, op, "AND"), RequireBool(ParseNot(), op, "AND"));
        }

        return left;
    }

    private ValueNode ParseNot()
    {
        if (Peek.Kind == FilterTokenKind.Not)
        {
            var op = Take();
            return new NotValueNode(RequireBool(ParseNot(), op, "NOT"));
        }

        return ParseComparison();
    }

    private static ValueNode RequireBool(ValueNode node, FilterToken op, string what) =>
        node.Type.Kind == FieldKind.Bool
            ? node
            : throw new FilterException(op.Position, $"{what} needs bool operands; one is {node.Type}");

    private ValueNode ParseComparison()
    {
        var start = Peek;
        var left = ParseSum();
        if (Peek.Kind == FilterTokenKind.Operator)
        {
            var op = Take();
            var rightStart = Peek;
            var right = ParseSum();
            return Compare(op, left, start, right, rightStart);
        }

        var negated = Peek.Kind == FilterTokenKind.Not && _tokens[_next + 1].Kind == FilterTokenKind.In;
        if (Peek.Kind == FilterTokenKind.In || negated)
        {
            if (negated)
            {
                Take();
            }

            var inToken = Take();
            Expect(FilterTokenKind.LeftParen, "'(' after IN");
            ValueNode? any = null;
            while (true)
            {
                var itemStart = Peek;
                var item = Compare(inToken with { Operator = ComparisonOperator.Equal, Text = "IN" }, left, start, ParseSum(), itemStart);
                any = any is null ? item : new LogicalNode(false, any, item);
                var separator = Take();
                if (separator.Kind == FilterTokenKind.RightParen)
                {
                    break;
                }

                if (separator.Kind != FilterTokenKind.Comma)
                {
                    throw new FilterException(separator.Position, $"expected ',' or ')' in the IN list, found {separator.Describe()}");
                }
            }

            return negated ? new NotValueNode(any) : any;
        }

        return left;
    }

    private ValueNode Compare(FilterToken op, ValueNode left, FilterToken leftToken, ValueNode right, FilterToken rightToken)
    {
        // A timestamp compares with an ISO-8601 string literal, converted here.
        if (left.Type.Kind == FieldKind.Timestamp && right is StringLiteralNode rs)
        {
            right = TimestampLiteral(rs.Value, rightToken);
        }
        else if (right.Type.Kind == FieldKind.Timestamp && left is StringLiteralNode ls)
        {
            left = TimestampLiteral(ls.Value, leftToken);
        }

        if (!TryCommonType(left.Type, right.Type, out var type))
        {
            throw new FilterException(op.Position, $"'{op.Text}' cannot compare {left.Type} with {right.Type}");
        }

        if (type.Kind == FieldKind.Bool && op.Operator is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
        {
            throw new FilterException(op.Position, $"bool values compare only with = and !=, not '{op.Text}'");
        }

        return new CompareNode(op.Operator, Convert(left, type, leftToken), Convert(right, type, rightToken));
    }

    private static LiteralNode TimestampLiteral(string text, FilterToken token) =>
        EventTime.TryParse(text, out var ms, out var error)
            ? new LiteralNode(FieldType.Timestamp, ms)
            : throw new FilterException(token.Position, error ?? $"'{text}' is not a timestamp");

    private ValueNode ParseSum()
    {
        var left = ParseProduct();
        while (Peek.Kind is FilterTokenKind.Plus or FilterTokenKind.Minus)
        {
            var op = Take();
            left = Arithmetic(op, op.Kind == FilterTokenKind.Plus ? ArithmeticOperator.Add : ArithmeticOperator.Subtract, left, ParseProduct());
        }

        return left;
    }

    private ValueNode ParseProduct()
    {
        var left = ParseUnary();
        while (Peek.Kind is FilterTokenKind.Star or FilterTokenKind.Slash or FilterTokenKind.Percent)
        {
            var op = Take();
            var kind = op.Kind switch
            {
                FilterTokenKind.Star => ArithmeticOperator.Multiply,
                FilterTokenKind.Slash => ArithmeticOperator.Divide,
                _ => ArithmeticOperator.Remainder,
            };
            left = Arithmetic(op, kind, left, ParseUnary());
        }

        return left;
    }

    private ValueNode ParseUnary()
    {
        if (Peek.Kind == FilterTokenKind.Minus)
        {
            var op = Take();
            var operand = ParseUnary();
            if (!operand.Type.IsNumeric)
            {
                throw new FilterException(op.Position, $"'-' needs a number; the operand is {operand.Type}");
            }

            return operand is LiteralNode literal && literal.Type.Kind != FieldKind.Double && literal.Bits != long.MinValue
                ? new LiteralNode(literal.Type, -literal.Bits)
                : new NegateNode(operand);
        }

        return ParsePrimary();
    }

    private ValueNode ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case FilterTokenKind.Number:
                return NumberLiteral(token);
            case FilterTokenKind.String:
                return new StringLiteralNode(token.Text);
            case FilterTokenKind.True:
            case FilterTokenKind.False:
                return new LiteralNode(FieldType.Bool, token.Kind == FilterTokenKind.True ? 1 : 0);
            case FilterTokenKind.LeftParen:
                if (Peek.Kind == FilterTokenKind.RightParen)
                {
                    throw new FilterException(Peek.Position, "empty parentheses");
                }

                var inner = ParseOr();
                var close = Take();
                return close.Kind == FilterTokenKind.RightParen
                    ? inner
                    : throw new FilterException(close.Position, $"expected ')' to close the '(' at position {token.Position}, found {close.Describe()}");
            case FilterTokenKind.Identifier:
                if (string.Equals(token.Text, "CASE", StringComparison.OrdinalIgnoreCase))
                {
                    return ParseCase(token);
                }

                return Peek.Kind == FilterTokenKind.LeftParen ? ParseCall(token) : Field(token);
            case FilterTokenKind.End:
                throw new FilterException(token.Position, "expected a value, found the end of the expression");
            default:
                throw new FilterException(token.Position, $"expected a value (a field, a literal, a function call, CASE or '('), found {token.Describe()}");
        }
    }

    private ValueNode Field(FilterToken token)
    {
        var name = token.Text;
        if (_scope.Fields.TryGetValue(name, out var field))
        {
            _inputs.Add(field.Ordinal);
            return new FieldNode(field);
        }

        if (string.Equals(name, _scope.TimeField, StringComparison.Ordinal))
        {
            return new EventTimeNode(name);
        }

        if (string.Equals(name, _scope.Self, StringComparison.Ordinal))
        {
            throw new FilterException(token.Position, $"derived field '{name}' cannot refer to itself");
        }

        if (_scope.LaterDerived.Contains(name))
        {
            throw new FilterException(token.Position, $"derived field '{name}' is defined after '{_scope.Self}'; a derived field may use only source fields and derived fields defined before it");
        }

        throw new FilterException(token.Position, $"field '{name}' is not in source '{_scope.SourceName}'; its fields are {string.Join(", ", _scope.Fields.Keys.Append(_scope.TimeField))}");
    }

    private ValueNode ParseCase(FilterToken caseToken)
    {
        var branches = new List<(ValueNode Condition, ValueNode Value, FilterToken At)>();
        while (PeekWord("WHEN"))
        {
            var when = Take();
            var condition = ParseOr();
            if (condition.Type.Kind != FieldKind.Bool)
            {
                throw new FilterException(when.Position, $"WHEN needs a bool condition; this one is {condition.Type}");
            }

            ExpectWord("THEN", "after the WHEN condition");
            var at = Peek;
            branches.Add((condition, ParseOr(), at));
        }

        if (branches.Count == 0)
        {
            throw new FilterException(Peek.Position, $"expected WHEN after CASE, found {Peek.Describe()}");
        }

        ValueNode? otherwise = null;
        var elseAt = Peek;
        if (PeekWord("ELSE"))
        {
            Take();
            elseAt = Peek;
            otherwise = ParseOr();
        }

        ExpectWord("END", $"to close the CASE at position {caseToken.Position}");
        var values = branches.Select(b => (b.Value, b.At)).ToList();
        if (otherwise is not null)
        {
            values.Add((otherwise, elseAt));
        }

        var type = CommonType(values, caseToken, "CASE");
        ValueNode result = otherwise is null ? new NullNode(type) : Convert(otherwise, type, elseAt);
        for (var i = branches.Count - 1; i >= 0; i--)
        {
            result = new IfNode(branches[i].Condition, Convert(branches[i].Value, type, branches[i].At), result, type);
        }

        return result;
    }

    private ValueNode ParseCall(FilterToken name)
    {
        var function = name.Text.ToLowerInvariant();
        if (!Functions.Contains(function, StringComparer.Ordinal))
        {
            throw new FilterException(name.Position, $"unknown function '{name.Text}'; expected one of {string.Join(", ", Functions)}");
        }

        Take();
        var args = new List<(ValueNode Node, FilterToken At)>();
        if (Peek.Kind != FilterTokenKind.RightParen)
        {
            while (true)
            {
                var at = Peek;
                args.Add((ParseOr(), at));
                var separator = Take();
                if (separator.Kind == FilterTokenKind.RightParen)
                {
                    break;
                }

                if (separator.Kind != FilterTokenKind.Comma)
                {
                    throw new FilterException(separator.Position, $"expected ',' or ')' in the arguments of {function}, found {separator.Describe()}");
                }
            }
        }
        else
        {
            Take();
        }

        switch (function)
        {
            case "coalesce":
                Arity(name, function, args.Count, 2, int.MaxValue, "(a, b, ...)");
                var coalesceType = CommonType(args, name, "coalesce");
                return new CoalesceNode(args.Select(a => Convert(a.Node, coalesceType, a.At)).ToArray(), coalesceType);
            case "if":
                Arity(name, function, args.Count, 3, 3, "(condition, then, else)");
                if (args[0].Node.Type.Kind != FieldKind.Bool)
                {
                    throw new FilterException(args[0].At.Position, $"the condition of if must be bool; it is {args[0].Node.Type}");
                }

                var ifType = CommonType(args.Skip(1).ToList(), name, "if");
                return new IfNode(args[0].Node, Convert(args[1].Node, ifType, args[1].At), Convert(args[2].Node, ifType, args[2].At), ifType);
            case "lower":
            case "upper":
                Arity(name, function, args.Count, 1, 1, "(text)");
                return new CaseMappingNode(function == "upper", Argument(args[0], function, FieldKind.String));
            case "trim":
                Arity(name, function, args.Count, 1, 1, "(text)");
                return new TrimNode(Argument(args[0], function, FieldKind.String));
            case "substring":
                Arity(name, function, args.Count, 2, 3, "(text, start[, length])");
                return new SubstringNode(
                    Argument(args[0], function, FieldKind.String),
                    Argument(args[1], function, FieldKind.Long),
                    args.Count == 3 ? Argument(args[2], function, FieldKind.Long) : null);
            case "concat":
                Arity(name, function, args.Count, 2, int.MaxValue, "(text, text, ...)");
                return new ConcatNode(args.Select(a => Argument(a, function, FieldKind.String)).ToArray());
            case "split_part":
                Arity(name, function, args.Count, 3, 3, "(text, delimiter, n)");
                return new SplitPartNode(
                    Argument(args[0], function, FieldKind.String),
                    Argument(args[1], function, FieldKind.String),
                    Argument(args[2], function, FieldKind.Long));
            case "hour_of_day":
            case "day_of_week":
                Arity(name, function, args.Count, 1, 1, "(timestamp)");
                return new TimePartNode(function == "hour_of_day" ? TimePart.HourOfDay : TimePart.DayOfWeek, Argument(args[0], function, FieldKind.Timestamp));
            case "date_trunc":
                Arity(name, function, args.Count, 2, 2, "('minute' | 'hour' | 'day', timestamp)");
                if (args[0].Node is not StringLiteralNode unitText || !GranularityExtensions.TryParse(unitText.Value, out var unit)
                    || unitText.Value != unit.ToName())
                {
                    throw new FilterException(args[0].At.Position, "the unit of date_trunc must be 'minute', 'hour' or 'day'");
                }

                return new DateTruncNode(unit, Argument(args[1], function, FieldKind.Timestamp));
            default:
                Arity(name, function, args.Count, 2, 2, "(number, width)");
                return Bucket(args[0], args[1]);
        }
    }

    private static void Arity(FilterToken name, string function, int count, int min, int max, string signature)
    {
        if (count < min || count > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} or {max}";
            throw new FilterException(name.Position, $"{function}{signature} takes {expected} argument{(min == 1 && max == 1 ? string.Empty : "s")}, found {count}");
        }
    }

    private static ValueNode Argument((ValueNode Node, FilterToken At) argument, string function, FieldKind kind)
    {
        var (node, at) = argument;
        if (node.Type.Kind == kind)
        {
            return node;
        }

        var expected = kind.ToString().ToLowerInvariant();
        throw new FilterException(at.Position, $"{function} needs a {expected} here; {Describe(node)} is {node.Type}");
    }

    private static string Describe(ValueNode node)
    {
        var sb = new System.Text.StringBuilder();
        node.WriteCanonical(sb);
        return $"'{sb}'";
    }

    private static ValueNode Bucket((ValueNode Node, FilterToken At) value, (ValueNode Node, FilterToken At) width)
    {
        var x = value.Node;
        if (!x.Type.IsNumeric)
        {
            throw new FilterException(value.At.Position, $"bucket needs a number to band; {Describe(x)} is {x.Type}");
        }

        if (width.Node is not LiteralNode w || !w.Type.IsNumeric)
        {
            throw new FilterException(width.At.Position, "the width of bucket must be a positive number literal, e.g. bucket(amount, 50)");
        }

        var widthText = Describe(w).Trim('\'');
        if (ExactMath.ToDouble(w.Type, w.Bits) <= 0)
        {
            throw new FilterException(width.At.Position, $"the width of bucket must be positive, not {widthText}");
        }

        if (x.Type.Kind == FieldKind.Double)
        {
            return new BucketNode(x, BitConverter.DoubleToInt64Bits(ExactMath.ToDouble(w.Type, w.Bits)), widthText);
        }

        // The width in x's unit: an integer for a long, an unscaled value at x's scale for a decimal.
        var scale = ExactMath.ScaleOf(x.Type);
        var widthScale = ExactMath.ScaleOf(w.Type);
        if (w.Type.Kind == FieldKind.Double || widthScale > scale && w.Bits % DecimalScaling.Pow10(widthScale - scale) != 0)
        {
            throw new FilterException(width.At.Position, $"the width {widthText} has more decimal places than {Describe(x)} ({x.Type})");
        }

        long unscaled;
        if (widthScale > scale)
        {
            unscaled = w.Bits / DecimalScaling.Pow10(widthScale - scale);
        }
        else if (!ExactMath.TryRescale(w.Bits, widthScale, scale, out unscaled))
        {
            throw new FilterException(width.At.Position, $"the width {widthText} is out of range for {x.Type}");
        }

        return new BucketNode(x, unscaled, widthText);
    }

    private ValueNode Arithmetic(FilterToken op, ArithmeticOperator kind, ValueNode left, ValueNode right)
    {
        if (!left.Type.IsNumeric || !right.Type.IsNumeric)
        {
            var bad = left.Type.IsNumeric ? right : left;
            var hint = bad.Type.Kind == FieldKind.String && kind == ArithmeticOperator.Add ? " (use concat to join strings)" : string.Empty;
            throw new FilterException(op.Position, $"'{op.Text}' needs numbers; {Describe(bad)} is {bad.Type}{hint}");
        }

        FieldType type;
        if (left.Type.Kind == FieldKind.Long && right.Type.Kind == FieldKind.Long)
        {
            type = FieldType.Long;
        }
        else if (left.Type.Kind == FieldKind.Double || right.Type.Kind == FieldKind.Double)
        {
            type = FieldType.Double;
        }
        else
        {
            int ls = ExactMath.ScaleOf(left.Type), rs = ExactMath.ScaleOf(right.Type);
            var scale = kind switch
            {
                ArithmeticOperator.Multiply => Math.Min(ls + rs, FieldType.MaxDecimalPrecision),
                ArithmeticOperator.Divide => Math.Max(Math.Max(ls, rs), 6),
                _ => Math.Max(ls, rs),
            };
            type = FieldType.Decimal(FieldType.MaxDecimalPrecision, scale);
        }

        var node = new ArithmeticNode(kind, left, right, type);
        return left is LiteralNode && right is LiteralNode ? Fold(node, op) : node;
    }

    /// <summary>Evaluates a constant expression now; a fault there is a mistake in the catalog, so an error.</summary>
    private static LiteralNode Fold(ValueNode node, FilterToken at) =>
        node.TryEvaluate(null!, out var bits)
            ? new LiteralNode(node.Type, bits)
            : throw new FilterException(at.Position, $"{Describe(node)} has no value (division by zero or overflow)");

    private FieldType CommonType(IReadOnlyList<(ValueNode Node, FilterToken At)> values, FilterToken at, string what)
    {
        var type = values[0].Node.Type;
        for (var i = 1; i < values.Count; i++)
        {
            if (!TryCommonType(type, values[i].Node.Type, out type))
            {
                throw new FilterException(values[i].At.Position, $"the values of {what} must have one type; {Describe(values[i].Node)} is {values[i].Node.Type}, the others {values[0].Node.Type}");
            }
        }

        _ = at;
        return type;
    }

    /// <summary>Equal types; numbers widen (long → decimal → double; decimals to the larger scale, precision 18).</summary>
    private static bool TryCommonType(FieldType a, FieldType b, out FieldType type)
    {
        if (a == b)
        {
            type = a;
            return true;
        }

        if (!a.IsNumeric || !b.IsNumeric)
        {
            type = default;
            return false;
        }

        type = a.Kind == FieldKind.Double || b.Kind == FieldKind.Double ? FieldType.Double
            : FieldType.Decimal(FieldType.MaxDecimalPrecision, Math.Max(ExactMath.ScaleOf(a), ExactMath.ScaleOf(b)));
        return true;
    }

    private static ValueNode Convert(ValueNode node, FieldType type, FilterToken at)
    {
        if (node.Type == type || node is NullNode
            || (node.Type.Kind == FieldKind.Decimal && type.Kind == FieldKind.Decimal && node.Type.Scale == type.Scale))
        {
            return node;
        }

        var converted = new ConvertNode(node, type);
        return node is LiteralNode ? Fold(converted, at) : converted;
    }

    private static ValueNode NumberLiteral(FilterToken token)
    {
        var text = token.Text;
        if (!text.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            if (!text.Contains('.', StringComparison.Ordinal) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return new LiteralNode(FieldType.Long, l);
            }

            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var m))
            {
                var dot = text.IndexOf('.', StringComparison.Ordinal);
                var scale = dot < 0 ? 0 : text.Length - dot - 1;
                if (scale <= FieldType.MaxDecimalPrecision && DecimalScaling.TryToUnscaled(m, scale, out var unscaled)
                    && unscaled < ExactMath.DecimalLimit && unscaled > -ExactMath.DecimalLimit)
                {
                    return new LiteralNode(FieldType.Decimal(FieldType.MaxDecimalPrecision, scale), unscaled);
                }
            }
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
        {
            throw new FilterException(token.Position, $"{text} is outside the range of double");
        }

        return new LiteralNode(FieldType.Double, BitConverter.DoubleToInt64Bits(d + 0d));
    }
}
