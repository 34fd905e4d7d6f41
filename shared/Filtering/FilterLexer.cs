namespace Lambda.Shared.Filtering;

/// <summary>Splits a filter or value expression into tokens; errors carry 1-based positions.</summary>
internal static class FilterLexer
{
    /// <summary>Tokenizes a <c>where</c> expression (no arithmetic operators).</summary>
    public static List<FilterToken> Tokenize(string text) => Tokenize(text, arithmetic: false);

    /// <summary>
    /// Tokenizes <paramref name="text"/>. With <paramref name="arithmetic"/> (value expressions, <c>derive:</c>),
    /// <c>+ - * / %</c> are operators; a sign directly before a digit still starts a number unless it follows a value
    /// (<c>a-1</c> is a subtraction, <c>a = -1</c> compares with minus one).
    /// </summary>
    public static List<FilterToken> Tokenize(string text, bool arithmetic)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new FilterToken(FilterTokenKind.End, string.Empty, text.Length + 1));
                return tokens;
            }

            var start = i;
            var c = text[i];
            if (arithmetic && ArithmeticOperator(c) is { } arithmeticOp
                && (c is '*' or '/' or '%' || FollowsValue(tokens) || !(i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] == '.'))))
            {
                tokens.Add(new FilterToken(arithmeticOp, c.ToString(), start + 1));
                i++;
                continue;
            }

            switch (c)
            {
                case '(':
                    tokens.Add(new FilterToken(FilterTokenKind.LeftParen, "(", start + 1));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new FilterToken(FilterTokenKind.RightParen, ")", start + 1));
                    i++;
                    continue;
                case ',':
                    tokens.Add(new FilterToken(FilterTokenKind.Comma, ",", start + 1));
                    i++;
                    continue;
                case '=':
                    i += i + 1 < text.Length && text[i + 1] == '=' ? 2 : 1;
                    tokens.Add(new FilterToken(FilterTokenKind.Operator, text[start..i], start + 1, ComparisonOperator.Equal));
                    continue;
                case '!':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        i += 2;
                        tokens.Add(new FilterToken(FilterTokenKind.Operator, "!=", start + 1, ComparisonOperator.NotEqual));
                        continue;
                    }

                    throw new FilterException(start + 1, "'!' must be followed by '=' (use NOT to negate)");
                case '<':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        i += 2;
                        tokens.Add(new FilterToken(FilterTokenKind.Operator, "<=", start + 1, ComparisonOperator.LessOrEqual));
                    }
                    else if (i + 1 < text.Length && text[i + 1] == '>')
                    {
                        i += 2;
                        tokens.Add(new FilterToken(FilterTokenKind.Operator, "<>", start + 1, ComparisonOperator.NotEqual));
                    }
                    else
                    {
                        i++;
                        tokens.Add(new FilterToken(FilterTokenKind.Operator, "<", start + 1, ComparisonOperator.Less));
                    }

                    continue;
                case '>':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        i += 2;
                        tokens.Add(new FilterToken(FilterTokenKind.Operator, ">=", start + 1, ComparisonOperator.GreaterOrEqual));
                    }
                    else
                    {
                        i++;
                        tokens.Add(new FilterToken(FilterTokenKind.Operator, ">", start + 1, ComparisonOperator.Greater));
                    }

                    continue;
                case '\'':
                    tokens.Add(ReadString(text, ref i));
                    continue;
                case '"':
                    throw new FilterException(start + 1, "string literals use single quotes, e.g. 'paid'");
            }

            if (char.IsAsciiDigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] == '.')))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                var word = text[start..i];
                var kind = word.ToUpperInvariant() switch
                {
                    "AND" => FilterTokenKind.And,
                    "OR" => FilterTokenKind.Or,
                    "NOT" => FilterTokenKind.Not,
                    "IN" => FilterTokenKind.In,
                    "TRUE" => FilterTokenKind.True,
                    "FALSE" => FilterTokenKind.False,
                    _ => FilterTokenKind.Identifier,
                };
                tokens.Add(new FilterToken(kind, word, start + 1));
                continue;
            }

            throw new FilterException(start + 1, $"unexpected character '{c}'");
        }
    }

    private static FilterTokenKind? ArithmeticOperator(char c) => c switch
    {
        '+' => FilterTokenKind.Plus,
        '-' => FilterTokenKind.Minus,
        '*' => FilterTokenKind.Star,
        '/' => FilterTokenKind.Slash,
        '%' => FilterTokenKind.Percent,
        _ => null,
    };

    private static bool FollowsValue(List<FilterToken> tokens) =>
        tokens.Count > 0 && tokens[^1].Kind is FilterTokenKind.Identifier or FilterTokenKind.Number or FilterTokenKind.String
            or FilterTokenKind.True or FilterTokenKind.False or FilterTokenKind.RightParen;

    private static FilterToken ReadString(string text, ref int i)
    {
        var start = i;
        var sb = new System.Text.StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length)
            {
                throw new FilterException(start + 1, "unterminated string literal (missing closing ')");
            }

            if (text[i] == '\'')
            {
                if (i + 1 < text.Length && text[i + 1] == '\'')
                {
                    sb.Append('\'');
                    i += 2;
                    continue;
                }

                i++;
                return new FilterToken(FilterTokenKind.String, sb.ToString(), start + 1);
            }

            sb.Append(text[i++]);
        }
    }

    private static FilterToken ReadNumber(string text, ref int i)
    {
        var start = i;
        if (text[i] is '-' or '+')
        {
            i++;
        }

        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
            digits++;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            throw new FilterException(start + 1, $"'{text[start..i]}' is not a number");
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            var expStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == expStart)
            {
                throw new FilterException(start + 1, $"'{text[start..i]}' is not a number (missing exponent digits)");
            }
        }

        if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
        {
            throw new FilterException(start + 1, $"'{text[start..(i + 1)]}' is not a number");
        }

        return new FilterToken(FilterTokenKind.Number, text[start..i], start + 1);
    }
}
