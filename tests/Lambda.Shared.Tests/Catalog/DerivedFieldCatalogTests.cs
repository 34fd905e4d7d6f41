using Lambda.Shared.Catalog;

namespace Lambda.Shared.Tests.Catalog;

/// <summary>
/// <c>derive:</c> in the catalog: each kind of bad expression is refused at load with its path, the reason and the line
/// and column (in the YAML text) of the offending token; good ones are typed and usable as dimension, measure argument
/// and in <c>where:</c>.
/// </summary>
public sealed class DerivedFieldCatalogTests
{
    // The expression under test sits on line 11 and starts at column 10 ("      x: " is 9 characters).
    private const string Template = """
        sources:
          orders:
            topic: orders
            time: ts
            fields:
              country: string
              amount: decimal(18,2)
              quantity: long
              paid: bool
            derive:
              x: EXPR
              later: quantity + 1
        views:
          v:
            source: orders
            granularity: hour
            measures: { n: count }
        """;

    private static CatalogError Error(string expression, string path = "sources.orders.derive.x")
    {
        var ex = Assert.Throws<CatalogValidationException>(() => CatalogLoader.Parse(Template.Replace("EXPR", expression, StringComparison.Ordinal), "catalog.yaml"));
        // The source's error comes first; its views then only say the source is invalid.
        var error = ex.Errors[0];
        Assert.Equal(path, error.Path);
        Assert.All(ex.Errors.Skip(1), e => Assert.Equal("source 'orders' is invalid (see its errors)", e.Message));
        Assert.Contains("catalog 'catalog.yaml' is invalid", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"(line {error.Line}, column {error.Column})", ex.Message, StringComparison.Ordinal);
        return error;
    }

    [Theory]
    // Syntax.
    [InlineData("bucket(amount, )", 25, "at position 16: expected a value (a field, a literal, a function call, CASE or '('), found ')'")]
    [InlineData("amount * (2 + 1", 25, "at position 16: expected ')' to close the '(' at position 10, found the end of the expression")]
    [InlineData("amount $ 2", 17, "at position 8: unexpected character '$'")]
    [InlineData("amount 2", 17, "at position 8: expected an operator or the end of the expression, found '2'")]
    [InlineData("CASE WHEN paid THEN 1", 31, "at position 22: expected END to close the CASE at position 1, found the end of the expression")]
    // Names.
    [InlineData("amont * 2", 10, "at position 1: field 'amont' is not in source 'orders'; its fields are country, amount, quantity, paid, ts")]
    [InlineData("x + 1", 10, "at position 1: derived field 'x' cannot refer to itself")]
    [InlineData("later * 2", 10, "at position 1: derived field 'later' is defined after 'x'; a derived field may use only source fields and derived fields defined before it")]
    [InlineData("round(amount)", 10, "at position 1: unknown function 'round'; expected one of bucket, coalesce, concat, date_trunc, day_of_week, hour_of_day, if, lower, split_part, substring, trim, upper")]
    // Arity.
    [InlineData("bucket(amount)", 10, "at position 1: bucket(number, width) takes 2 arguments, found 1")]
    [InlineData("lower(country, 1)", 10, "at position 1: lower(text) takes 1 argument, found 2")]
    [InlineData("coalesce(amount)", 10, "at position 1: coalesce(a, b, ...) takes at least 2 arguments, found 1")]
    // Types.
    [InlineData("country + 1", 18, "at position 9: '+' needs numbers; 'country' is string (use concat to join strings)")]
    [InlineData("ts + 1", 13, "at position 4: '+' needs numbers; 'ts' is timestamp")]
    [InlineData("lower(amount)", 16, "at position 7: lower needs a string here; 'amount' is decimal(18,2)")]
    [InlineData("if(amount, 1, 2)", 13, "at position 4: the condition of if must be bool; it is decimal(18,2)")]
    [InlineData("if(paid, 'a', 1)", 24, "at position 15: the values of if must have one type; '1' is long, the others string")]
    [InlineData("CASE WHEN paid THEN 'a' ELSE 1 END", 39, "at position 30: the values of CASE must have one type; '1' is long, the others string")]
    [InlineData("country > 5", 18, "at position 9: '>' cannot compare string with long")]
    [InlineData("paid < TRUE", 15, "at position 6: bool values compare only with = and !=, not '<'")]
    [InlineData("paid AND amount", 15, "at position 6: AND needs bool operands; one is decimal(18,2)")]
    [InlineData("hour_of_day(amount)", 22, "at position 13: hour_of_day needs a timestamp here; 'amount' is decimal(18,2)")]
    // Constant arguments.
    [InlineData("bucket(amount, quantity)", 25, "at position 16: the width of bucket must be a positive number literal, e.g. bucket(amount, 50)")]
    [InlineData("bucket(amount, 0)", 25, "at position 16: the width of bucket must be positive, not 0")]
    [InlineData("bucket(amount, 0.001)", 25, "at position 16: the width 0.001 has more decimal places than 'amount' (decimal(18,2))")]
    [InlineData("date_trunc('week', ts)", 21, "at position 12: the unit of date_trunc must be 'minute', 'hour' or 'day'")]
    [InlineData("amount + 1 / 0", 21, "at position 12: '(1 / 0)' has no value (division by zero or overflow)")]
    public void A_bad_expression_is_refused_with_line_column_and_reason(string expression, int column, string message)
    {
        var error = Error(expression);
        Assert.Equal(message, error.Message);
        Assert.Equal(11, error.Line);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void A_quoted_expression_reports_the_column_inside_the_quotes()
    {
        var error = Error("\"amount + 'x'\"");
        Assert.Equal(18, error.Column);
        Assert.Equal("at position 8: '+' needs numbers; ''x'' is string (use concat to join strings)", error.Message);
    }

    [Theory]
    [InlineData("amount", "'amount' is already a field of source 'orders'")]
    [InlineData("ts", "'ts' is already a field of source 'orders'")]
    [InlineData("case", "'case' is a keyword of the expression language")]
    [InlineData("Band", "derived field name 'Band' is not a safe identifier ([a-z_][a-z0-9_]*, at most 64 characters)")]
    public void A_derived_field_name_must_be_new_and_safe(string name, string message)
    {
        var ex = Assert.Throws<CatalogValidationException>(() => CatalogLoader.Parse(Template.Replace("      x: EXPR", $"      {name}: amount * 2", StringComparison.Ordinal)));
        var error = ex.Errors[0];
        Assert.Equal($"sources.orders.derive.{name}", error.Path);
        Assert.Equal(message, error.Message);
        Assert.Equal(11, error.Line);
    }

    [Fact]
    public void A_where_error_now_carries_its_column_too()
    {
        var ex = Assert.Throws<CatalogValidationException>(() => CatalogLoader.Parse(Template
            .Replace("EXPR", "amount * 2", StringComparison.Ordinal)
            .Replace("    granularity: hour", "    where: x > 'big'\n    granularity: hour", StringComparison.Ordinal)));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("views.v.where", error.Path);
        Assert.Equal("at position 5: field 'x' is decimal(18,2); compare it with a number, not 'big'", error.Message);
        Assert.Equal((16, 16), (error.Line, error.Column));
    }

    [Fact]
    public void Derived_fields_are_typed_and_serve_as_dimension_measure_argument_and_filter()
    {
        var catalog = CatalogLoader.Parse(Template.Replace("EXPR", "amount * quantity", StringComparison.Ordinal)
            .Replace("measures: { n: count }", "where: later > 2\n    dimensions: [later]\n    measures: { n: count, total: sum(x), top: max(x) }", StringComparison.Ordinal));
        var source = catalog.GetSource("orders");
        Assert.Equal(["x: decimal(18,2) = (amount * quantity)", "later: long = (quantity + 1)"], source.DerivedFields.Select(f => f.ToString()));
        Assert.Equal([4, 5], source.DerivedFields.Select(f => f.Ordinal));
        var view = catalog.GetView("v");
        Assert.Equal(["x", "later"], view.DerivedFields.Select(f => f.Name).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(["amount", "quantity"], view.RawInputFields.Select(f => f.Name));
        Assert.Contains(";derived=[x:decimal(18,2)=(amount * quantity),later:long=(quantity + 1)]", view.CanonicalForm, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_expression_changes_the_view_version_and_spelling_does_not()
    {
        static string Hash(string expression) => CatalogLoader.Parse(Template.Replace("EXPR", expression, StringComparison.Ordinal)
            .Replace("measures: { n: count }", "measures: { n: count, total: sum(x) }", StringComparison.Ordinal)).GetView("v").DefinitionHash;

        Assert.Equal(Hash("bucket(amount, 50)"), Hash("BUCKET( amount,50 )"));
        Assert.NotEqual(Hash("bucket(amount, 50)"), Hash("bucket(amount, 100)"));
    }
}
