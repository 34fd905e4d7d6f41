using Lambda.Shared.Catalog;

namespace Lambda.Shared.Tests.Catalog;

public sealed class CatalogValidationTests
{
    private const string Valid = """
        sources:
          orders:
            topic: orders
            time: ts
            key: user_id
            fields:
              order_id: string
              user_id: string
              country: string
              amount: decimal(18,2)
              status: string
        views:
          revenue_by_country:
            source: orders
            where: status = 'paid'
            granularity: minute
            dimensions: [country]
            measures: { orders: count, revenue: sum(amount), biggest: max(amount), buyers: distinct(user_id) }
        """;

    private static IReadOnlyList<string> Errors(string yaml)
    {
        var ex = Assert.Throws<CatalogValidationException>(() => CatalogLoader.Parse(yaml));
        Assert.NotEmpty(ex.Errors);
        return ex.Errors.Select(e => e.ToString()).ToArray();
    }

    private static string Edit(string find, string replace)
    {
        Assert.Contains(find, Valid, StringComparison.Ordinal);
        return Valid.Replace(find, replace, StringComparison.Ordinal);
    }

    [Fact]
    public void The_valid_baseline_loads()
    {
        var catalog = CatalogLoader.Parse(Valid);
        Assert.Equal("user_id", catalog.GetSource("orders").KeyField);
    }

    [Theory]
    // Measures.
    [InlineData("buyers: distinct(user_id)", "buyers: distinct(usr)", "views.revenue_by_country.measures.buyers: field 'usr' is not in source 'orders'")]
    [InlineData("revenue: sum(amount)", "revenue: sum(country)", "views.revenue_by_country.measures.revenue: sum needs a long, double or decimal field, not string ('country' is string)")]
    [InlineData("revenue: sum(amount)", "revenue: avg(status)", "views.revenue_by_country.measures.revenue: avg needs a long, double or decimal field, not string ('status' is string)")]
    [InlineData("biggest: max(amount)", "biggest: quantiles(status)", "views.revenue_by_country.measures.biggest: quantiles needs a long, double or decimal field, not string ('status' is string)")]
    [InlineData("biggest: max(amount)", "biggest: max(status)", "views.revenue_by_country.measures.biggest: max needs a long, double, decimal or timestamp field, not string ('status' is string)")]
    [InlineData("revenue: sum(amount)", "revenue: sum", "views.revenue_by_country.measures.revenue: sum needs a field, e.g. sum(amount)")]
    [InlineData("orders: count", "orders: count(order_id)", "views.revenue_by_country.measures.orders: count takes no field (write count, not count(order_id))")]
    [InlineData("orders: count", "orders: median(amount)", "views.revenue_by_country.measures.orders: unknown function 'median'; expected count, sum, min, max, avg, distinct or quantiles")]
    [InlineData("orders: count", "orders: \"sum(amount, 2)\"", "views.revenue_by_country.measures.orders: field 'amount, 2' is not in source 'orders'")]
    [InlineData("orders: count", "orders: 'sum amount'", "views.revenue_by_country.measures.orders: 'sum amount' is not a measure; expected count, sum(f), min(f), max(f), avg(f), distinct(f) or quantiles(f)")]
    [InlineData("buyers: distinct(user_id)", "buyers: distinct(ts)", "views.revenue_by_country.measures.buyers: 'ts' is the event-time field and cannot be aggregated")]
    [InlineData("orders: count,", "Orders: count,", "views.revenue_by_country.measures.Orders: measure name 'Orders' is not a safe identifier ([a-z_][a-z0-9_]*, at most 64 characters)")]
    [InlineData("orders: count,", "__orders: count,", "views.revenue_by_country.measures.__orders: measure name '__orders' starts with '__', which is reserved for platform columns")]
    [InlineData("orders: count,", "bucket: count,", "views.revenue_by_country.measures.bucket: 'bucket' is reserved for the time bucket column")]
    [InlineData("orders: count,", "country: count,", "views.revenue_by_country.measures.country: 'country' is also a dimension of the view; measure and dimension names share the row")]
    [InlineData("measures: { orders: count, revenue: sum(amount), biggest: max(amount), buyers: distinct(user_id) }", "measures: {}", "views.revenue_by_country.measures: must be a non-empty mapping of measure name to count, sum(f), min(f), max(f), avg(f), distinct(f) or quantiles(f)")]
    [InlineData("\n    measures: { orders: count, revenue: sum(amount), biggest: max(amount), buyers: distinct(user_id) }", "", "views.revenue_by_country.measures: is required: a mapping of measure name to count, sum(f), min(f), max(f), avg(f), distinct(f) or quantiles(f)")]
    // View structure.
    [InlineData("source: orders\n", "source: order\n", "views.revenue_by_country.source: source 'order' is not in the catalog")]
    [InlineData("    source: orders\n", "", "views.revenue_by_country.source: is required")]
    [InlineData("granularity: minute", "granularity: second", "views.revenue_by_country.granularity: 'second' is not a granularity; expected minute, hour or day")]
    [InlineData("    granularity: minute\n", "", "views.revenue_by_country.granularity: is required")]
    [InlineData("dimensions: [country]", "dimensions: [cntry]", "views.revenue_by_country.dimensions[0]: field 'cntry' is not in source 'orders'")]
    [InlineData("dimensions: [country]", "dimensions: [country, country]", "views.revenue_by_country.dimensions[1]: dimension 'country' is listed twice")]
    [InlineData("dimensions: [country]", "dimensions: [ts]", "views.revenue_by_country.dimensions[0]: 'ts' is the event-time field; time is grouped by granularity, not as a dimension")]
    [InlineData("dimensions: [country]", "dimensions: country", "views.revenue_by_country.dimensions: must be a list of field names, e.g. [country]")]
    [InlineData("where: status = 'paid'", "where: status = 'paid' AND", "views.revenue_by_country.where: at position 20: expected a condition, found the end of the expression")]
    [InlineData("where: status = 'paid'", "where: stats = 'paid'", "views.revenue_by_country.where: at position 1: field 'stats' is not in source 'orders'; its fields are order_id, user_id, country, amount, status")]
    [InlineData("where: status = 'paid'", "where: amount = 'paid'", "views.revenue_by_country.where: at position 10: field 'amount' is decimal(18,2); compare it with a number, not 'paid'")]
    [InlineData("  revenue_by_country:", "  Revenue-By-Country:", "views.Revenue-By-Country: view name 'Revenue-By-Country' is not a safe identifier ([a-z_][a-z0-9_]*, at most 64 characters)")]
    [InlineData("    granularity: minute", "    granularity: minute\n    sort: country", "views.revenue_by_country.sort: unknown key 'sort'; expected source, where, granularity, dimensions, measures")]
    // Sources.
    [InlineData("topic: orders", "topic: 'orders!'", "sources.orders.topic: 'orders!' is not a valid Kafka topic name (1-249 of a-z, A-Z, 0-9, '.', '_', '-')")]
    [InlineData("    topic: orders\n", "", "sources.orders.topic: is required")]
    [InlineData("    time: ts\n", "", "sources.orders.time: is required")]
    [InlineData("time: ts", "time: Ts", "sources.orders.time: 'Ts' is not a safe identifier ([a-z_][a-z0-9_]*)")]
    [InlineData("amount: decimal(18,2)", "amount: money", "sources.orders.fields.amount: unknown type 'money'; expected one of string, long, double, decimal(p,s), bool, timestamp")]
    [InlineData("amount: decimal(18,2)", "amount: decimal(19,2)", "sources.orders.fields.amount: decimal precision 19 is outside 1..18")]
    [InlineData("amount: decimal(18,2)", "amount: decimal(2,3)", "sources.orders.fields.amount: decimal scale 3 is larger than its precision 2")]
    [InlineData("amount: decimal(18,2)", "amount: decimal(x)", "sources.orders.fields.amount: type 'decimal(x)' must be decimal(p,s) with integer precision p and scale s")]
    [InlineData("amount: decimal(18,2)", "amount:", "sources.orders.fields.amount: type is missing; expected one of string, long, double, decimal(p,s), bool, timestamp")]
    [InlineData("      status: string", "      status: string\n      ts: timestamp", "sources.orders.fields.ts: 'ts' is the event-time field; it must not be listed among the fields")]
    [InlineData("      status: string", "      Status: string", "sources.orders.fields.Status: field name 'Status' is not a safe identifier ([a-z_][a-z0-9_]*, at most 64 characters)")]
    [InlineData("key: user_id", "key: customer", "sources.orders.key: field 'customer' is not in source 'orders'")]
    [InlineData("    key: user_id", "    key: user_id\n    partitions: 4", "sources.orders.partitions: unknown key 'partitions'; expected topic, time, key, fields, enrich, derive")]
    // Document.
    [InlineData("views:", "veiws:", "veiws: unknown key 'veiws'; expected lookups, sources, views")]
    public void Each_problem_is_reported_with_its_path(string find, string replace, string expected)
    {
        var errors = Errors(Edit(find, replace));
        Assert.Contains(expected, errors);
    }

    [Fact]
    public void Topics_are_unique_across_sources()
    {
        var errors = Errors(Valid.Replace("views:", "  refunds:\n    topic: orders\n    time: ts\n    fields: { order_id: string }\nviews:", StringComparison.Ordinal));

        Assert.Equal(["sources.refunds.topic: topic 'orders' is already used by source 'orders'"], errors);
    }

    [Fact]
    public void A_decimal_cut_by_a_flow_mapping_comma_gets_a_hint()
    {
        var errors = Errors(Edit(
            "    fields:\n      order_id: string\n      user_id: string\n      country: string\n      amount: decimal(18,2)\n      status: string",
            "    fields: { order_id: string, user_id: string, country: string, amount: decimal(18,2), status: string }"));

        Assert.Equal(
            ["sources.orders.fields.amount: type 'decimal(18' is cut at a comma: inside a { } flow mapping write \"decimal(p,s)\" in quotes, or use a block mapping",
             "views.revenue_by_country.source: source 'orders' is invalid (see its errors)"],
            errors);
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var yaml = Valid
            .Replace("buyers: distinct(user_id)", "buyers: distinct(usr)", StringComparison.Ordinal)
            .Replace("granularity: minute", "granularity: week", StringComparison.Ordinal)
            .Replace("amount: decimal(18,2)", "amount: decimal(18,2)\n      Bad: string", StringComparison.Ordinal);

        var ex = Assert.Throws<CatalogValidationException>(() => CatalogLoader.Parse(yaml, "test.yaml"));

        Assert.Equal(3, ex.Errors.Count);
        Assert.Contains("sources.orders.fields.Bad", ex.Message, StringComparison.Ordinal);
        Assert.Contains("test.yaml", ex.Message, StringComparison.Ordinal);
        Assert.All(ex.Errors, e => Assert.NotNull(e.Line));
    }

    [Fact]
    public void A_view_over_an_invalid_source_says_so_instead_of_cascading()
    {
        var errors = Errors(Edit("topic: orders", "topic: 'bad topic'"));

        Assert.Equal(
            ["sources.orders.topic: 'bad topic' is not a valid Kafka topic name (1-249 of a-z, A-Z, 0-9, '.', '_', '-')",
             "views.revenue_by_country.source: source 'orders' is invalid (see its errors)"],
            errors);
    }

    [Theory]
    [InlineData("", "catalog: the catalog is empty; expected 'sources' and 'views'")]
    [InlineData("- a\n- b", "catalog: the catalog must be a mapping with 'sources' and 'views'")]
    [InlineData("views: {}", "sources: at least one source is required")]
    [InlineData("sources: [a]", "sources: must be a mapping of source name to definition")]
    [InlineData("sources:\n  s: just-text", "sources.s: must be a mapping with topic, time and fields")]
    [InlineData("sources:\n  s:\n    topic: s\n    time: ts\n    fields: {}", "sources.s.fields: must be a non-empty mapping of field name to type")]
    [InlineData("sources:\n  s:\n    topic: s\n    time: ts", "sources.s.fields: is required: a mapping of field name to type")]
    [InlineData("sources:\n  s:\n    topic: [a, b]\n    time: ts\n    fields: { a: string }", "sources.s.topic: must be a single value, not a list or mapping")]
    public void Document_level_problems_are_reported(string yaml, string expected)
    {
        Assert.Contains(expected, Errors(yaml));
    }

    [Fact]
    public void Yaml_syntax_errors_are_reported_with_line_and_column()
    {
        var errors = Errors("sources:\n  orders:\n    topic: [unclosed\n");

        Assert.Single(errors);
        Assert.StartsWith("catalog: YAML syntax error at line", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_are_reported()
    {
        var errors = Errors(Edit("      status: string", "      status: string\n      status: long"));

        Assert.Single(errors);
        Assert.Contains("status", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var ex = Assert.Throws<CatalogValidationException>(() => CatalogLoader.LoadFile(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orders", true)]
    [InlineData("_x1", true)]
    [InlineData("revenue_by_country", true)]
    [InlineData("Orders", false)]
    [InlineData("1abc", false)]
    [InlineData("a-b", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    [InlineData("__internal", false)]
    [InlineData("ü", false)]
    public void Identifiers_are_validated(string name, bool valid)
    {
        Assert.Equal(valid, CatalogLoader.IsValidIdentifier(name));
    }

    [Fact]
    public void Identifiers_longer_than_64_characters_are_rejected()
    {
        Assert.True(CatalogLoader.IsValidIdentifier(new string('a', 64)));
        Assert.False(CatalogLoader.IsValidIdentifier(new string('a', 65)));
    }
}
