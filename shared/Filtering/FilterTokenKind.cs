namespace Lambda.Shared.Filtering;

internal enum FilterTokenKind
{
    End,
    Identifier,
    String,
    Number,
    True,
    False,
    And,
    Or,
    Not,
    In,
    LeftParen,
    RightParen,
    Comma,
    Operator,

    // Value expressions only (FilterLexer.Tokenize with arithmetic):
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
}
