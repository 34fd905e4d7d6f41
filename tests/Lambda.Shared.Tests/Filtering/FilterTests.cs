using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Filtering;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Filtering;

public sealed class FilterTests
{
    private static readonly SourceDefinition Things = TypeCatalogs.AllTypes.GetSource("things");

    private static EventRecord Thing(string s = "x", long l = 1, double d = 1, decimal m = 1, bool b = true, long t = 1_767_225_600_000)
    {
        var r = new EventRecord(Things);
        r.SetTimestamp(t);
        r.SetString(0, s);
        r.SetLong(1, l);
        r.SetDouble(2, d);
        r.SetDecimal(3, m);
        r.SetBool(4, b);
        r.SetTimestamp(5, t);
        return r;
    }

    private static bool Matches(string filter, EventRecord record) => Filter.Compile(filter, Things).Matches(record);

    public static TheoryData<string, Func<bool, bool, bool, bool>> PrecedenceCases => new()
    {
        { "{A} OR {B} AND {C}", (a, b, c) => a || (b && c) },
        { "({A} OR {B}) AND {C}", (a, b, c) => (a || b) && c },
        { "NOT {A} AND {B}", (a, b, _) => !a && b },
        { "NOT ({A} AND {B})", (a, b, _) => !(a && b) },
        { "{A} AND NOT {B} OR {C}", (a, b, c) => (a && !b) || c },
        { "NOT NOT {A}", (a, _, _) => a },
        { "{A} OR NOT {B} AND NOT {C}", (a, b, c) => a || (!b && !c) },
        { "(({A})) or ({B} and ({C}))", (a, b, c) => a || (b && c) },
        { "{A} AND {B} OR {C} AND NOT {A}", (a, b, c) => (a && b) || (c && !a) },
    };

    [Theory]
    [MemberData(nameof(PrecedenceCases))]
    public void Precedence_is_not_then_and_then_or(string shape, Func<bool, bool, bool, bool> expected)
    {
        // The placeholders become real predicates; the expected value comes from C#'s own !, &&, || precedence.
        var text = shape.Replace("{A}", "l = 1", StringComparison.Ordinal)
            .Replace("{B}", "b = true", StringComparison.Ordinal)
            .Replace("{C}", "s = 'x'", StringComparison.Ordinal);
        var filter = Filter.Compile(text, Things);

        foreach (var a in new[] { false, true })
        {
            foreach (var b in new[] { false, true })
            {
                foreach (var c in new[] { false, true })
                {
                    var record = Thing(s: c ? "x" : "y", l: a ? 1 : 2, b: b);
                    Assert.True(expected(a, b, c) == filter.Matches(record), $"{text} with A={a} B={b} C={c}");
                }
            }
        }
    }

    [Fact]
    public void Canonical_text_is_fully_parenthesised_and_normalised()
    {
        var filter = Filter.Compile("l = 1 or b = true and not s in ('z', 'x', 'z') AND m >= 1.50", Things);

        Assert.Equal("(l = 1 OR ((b = TRUE AND (NOT s IN ('x', 'z'))) AND m >= 1.5))", filter.CanonicalText);
        Assert.Equal("s = 'it''s'", Filter.Compile("s == 'it''s'", Things).CanonicalText);
        Assert.Equal("(NOT s IN ('a'))", Filter.Compile("s NOT IN ('a')", Things).CanonicalText);
        Assert.Equal("t >= '2026-01-01T00:00:00.000Z'", Filter.Compile("t >= '2026-01-01T01:00:00+01:00'", Things).CanonicalText);
        Assert.Equal("l != 2", Filter.Compile("l <> 2", Things).CanonicalText);
    }

    [Theory]
    [InlineData("m > 1.0045", true)]
    [InlineData("m >= 1.005", true)]
    [InlineData("m = 1.0050", true)]
    [InlineData("m = 1.0051", false)]
    [InlineData("m != 1.0051", true)]
    [InlineData("m < 1.0051", true)]
    [InlineData("m <= 1.00500000001", true)]
    [InlineData("m > 1.00500000001", false)]
    [InlineData("m < 1.00499999999", false)]
    [InlineData("m > 1.00499999999", true)]
    [InlineData("m < 1e30", true)]
    [InlineData("m > -1e30", true)]
    [InlineData("m = 1e40", false)]
    [InlineData("m IN (1.005, 7)", true)]
    [InlineData("m IN (1.0051, 7)", false)]
    public void Decimal_comparisons_are_exact(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter, Thing(m: 1.005m)));
    }

    [Theory]
    [InlineData("l > 4.5", true)]
    [InlineData("l < 5.5", true)]
    [InlineData("l = 5.0", true)]
    [InlineData("l = 5.5", false)]
    [InlineData("l != 5.5", true)]
    [InlineData("l >= 5", true)]
    [InlineData("l > 5", false)]
    [InlineData("l IN (5.5, 6)", false)]
    [InlineData("l IN (5.0, 6)", true)]
    [InlineData("l NOT IN (1, 2, 3)", true)]
    [InlineData("l > -9223372036854775809", true)]
    [InlineData("l < 9223372036854775808", true)]
    public void Long_comparisons_are_exact(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter, Thing(l: 5)));
    }

    [Theory]
    [InlineData("d = 0.1", true)]
    [InlineData("d < 0.2", true)]
    [InlineData("d > 1e-3", true)]
    [InlineData("d IN (0.1, 0.2)", true)]
    [InlineData("d >= 0.10000000000000001", true)]
    public void Double_comparisons_use_ieee_semantics(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter, Thing(d: 0.1)));
    }

    [Theory]
    [InlineData("s = 'café'", true)]
    [InlineData("s > 'cafz'", true)]
    [InlineData("s > 'caf'", true)]
    [InlineData("s < 'Z'", false)]
    [InlineData("s IN ('tea', 'café')", true)]
    [InlineData("s NOT IN ('tea', 'café')", false)]
    [InlineData("s != 'CAFÉ'", true)]
    public void String_comparisons_are_ordinal(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter, Thing(s: "café")));
    }

    [Theory]
    [InlineData("b = TRUE", true)]
    [InlineData("b != false", true)]
    [InlineData("b IN (false)", false)]
    [InlineData("t >= '2026-01-01T00:00:00Z'", true)]
    [InlineData("t > '2026-01-01T00:00:00Z'", false)]
    [InlineData("t < 1767225600001", true)]
    [InlineData("t IN ('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')", true)]
    public void Bool_and_timestamp_comparisons(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter, Thing(b: true, t: 1_767_225_600_000)));
    }

    [Theory]
    [InlineData("(", 2, "expected a condition, found the end of the expression")]
    [InlineData("l = ", 5, "expected a value after '=', found the end of the expression")]
    [InlineData("s = 'paid", 5, "unterminated string literal (missing closing ')")]
    [InlineData("s = \"paid\"", 5, "string literals use single quotes, e.g. 'paid'")]
    [InlineData("(s = 'paid'", 12, "expected ')' to close the '(' at position 1, found the end of the expression")]
    [InlineData("s = 'paid')", 11, "unbalanced ')'")]
    [InlineData("s IN ()", 7, "IN needs at least one value")]
    [InlineData("s IN ('a' 'b')", 11, "expected ',' or ')' in the IN list, found 'b'")]
    [InlineData("s IN 'a'", 6, "expected '(' after IN, found 'a'")]
    [InlineData("m > 'x'", 5, "field 'm' is decimal(10,3); compare it with a number, not 'x'")]
    [InlineData("s > 5", 5, "field 's' is string; compare it with a quoted string, e.g. 'paid', not '5'")]
    [InlineData("b < TRUE", 3, "field 'b' is bool; only = and != apply")]
    [InlineData("b = 1", 5, "field 'b' is bool; compare it with TRUE or FALSE, not '1'")]
    [InlineData("nosuch = 1", 1, "field 'nosuch' is not in source 'things'; its fields are s, l, d, m, b, t, tag, share, ratio, day, positive, weekday")]
    [InlineData("ts > 5", 1, "field 'ts' is not in source 'things' ('ts' is the event-time field; views select time through buckets and query ranges)")]
    [InlineData("s = 'a' s = 'b'", 9, "expected AND, OR or the end of the expression, found 's'")]
    [InlineData("s ! 'x'", 3, "'!' must be followed by '=' (use NOT to negate)")]
    [InlineData("s = 'a' AND AND", 13, "expected a field name, NOT or '(', found 'AND'")]
    [InlineData("s paid", 3, "expected a comparison operator (=, !=, <, <=, >, >=) or IN after 's', found 'paid'")]
    [InlineData("= 'x'", 1, "expected a field name, NOT or '(', found '='")]
    [InlineData("()", 2, "empty parentheses")]
    [InlineData("t > 'yesterday'", 5, "field 't' is timestamp; 'yesterday' is not an ISO-8601 date-time")]
    [InlineData("t > '2026-01-01T00:00:00'", 5, "field 't' is timestamp; '2026-01-01T00:00:00' has no UTC offset; write Z or ±hh:mm")]
    [InlineData("l = 1x", 5, "'1x' is not a number")]
    [InlineData("l = 1e", 5, "'1e' is not a number (missing exponent digits)")]
    [InlineData("s = 'a' # comment", 9, "unexpected character '#'")]
    [InlineData("d > 1e400", 5, "1e400 is outside the range of double")]
    public void Errors_name_the_position_and_the_problem(string text, int position, string detail)
    {
        var ex = Assert.Throws<FilterException>(() => Filter.Compile(text, Things));

        Assert.Equal(detail, ex.Detail);
        Assert.Equal(position, ex.Position);
        Assert.Equal($"at position {position}: {detail}", ex.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void No_filter_matches_everything(string? text)
    {
        var filter = Filter.Compile(text, Things);

        Assert.True(filter.IsMatchAll);
        Assert.True(filter.Matches(Thing()));
        Assert.Equal("TRUE", filter.CanonicalText);
    }

    [Fact]
    public void Keywords_are_case_insensitive_and_field_names_are_not()
    {
        Assert.True(Matches("s = 'x' aNd NoT l In (2) oR b = FALSE", Thing()));
        Assert.Throws<FilterException>(() => Filter.Compile("S = 'x'", Things));
    }

    [Fact]
    public void Evaluation_allocates_nothing()
    {
        var filter = Filter.Compile("(s IN ('a', 'x') AND m >= 0.5 AND NOT b = false) OR d < 0 OR t > '2030-01-01T00:00:00Z'", Things);
        var record = Thing();
        Assert.True(filter.Matches(record));

        var matched = 0;
        var allocated = SteadyStateAllocation.MinimumBytesPerRound(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                matched += filter.Matches(record) ? 1 : 0;
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(50_000, matched);
    }
}
