using Lambda.ServingLayer.Alerts;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Lambda.ServingLayer.Tests.Alerts;

public sealed class AlertOptionsValidatorTests
{
    private static readonly AlertOptionsValidator Validator = new(TestCatalogs.Default);

    private static AlertRuleOptions Rule(
        string name = "r1", string view = "revenue_by_country", string measure = "orders", string? filter = null, string? where = null,
        string window = "00:05:00", string condition = "<", double? threshold = 1, string[]? groupBy = null) => new()
    {
        Name = name,
        View = view,
        Measure = measure,
        Filter = filter,
        Where = where,
        Window = TimeSpan.Parse(window, System.Globalization.CultureInfo.InvariantCulture),
        Condition = condition,
        Threshold = threshold,
        GroupBy = groupBy ?? [],
    };

    public static TheoryData<string, AlertRuleOptions, string> BadRules => new()
    {
        { "view", Rule(view: "revenue_by_city"), "Serving:Alerts:Rules:0:View 'revenue_by_city' is not a view of the catalog" },
        { "measure", Rule(measure: "profit"), "Serving:Alerts:Rules:0:Measure 'profit' is not a measure of view 'revenue_by_country'" },
        { "condition", Rule(condition: "=="), "Serving:Alerts:Rules:0:Condition '==' is not one of > >= < <=" },
        { "filter without colon", Rule(filter: "country"), "Serving:Alerts:Rules:0:Filter: 'filter' item 'country' is not 'dimension:value'" },
        { "filter on no dimension", Rule(filter: "city:Bern"), "Serving:Alerts:Rules:0:Filter: 'filter' names 'city', which is not a dimension" },
        { "filter with an empty item", Rule(filter: "country:US,,country:DE"), "Serving:Alerts:Rules:0:Filter: 'filter' item '' is not 'dimension:value'" },
        { "where with a bad token", Rule(where: "country = = 'US'"), "Serving:Alerts:Rules:0:Where: 'where' at position 11" },
        { "where on no dimension", Rule(where: "city = 'Bern'"), "Serving:Alerts:Rules:0:Where: 'where' at position 1" },
        { "window not whole buckets", Rule(window: "00:05:30"), "Serving:Alerts:Rules:0:Window '00:05:30' must be a positive whole number of view 'revenue_by_country''s minute buckets" },
        { "window of minutes on an hourly view", Rule(view: "orders_by_status", measure: "orders", window: "00:30:00"), "Serving:Alerts:Rules:0:Window '00:30:00'" },
        { "zero window", Rule(window: "00:00:00"), "Serving:Alerts:Rules:0:Window '00:00:00'" },
        { "no threshold", Rule(threshold: null), "Serving:Alerts:Rules:0:Threshold must be set" },
        { "infinite threshold", Rule(threshold: double.PositiveInfinity), "Serving:Alerts:Rules:0:Threshold must be set to a finite number" },
        { "bad name", Rule(name: "no spaces please"), "Serving:Alerts:Rules:0:Name 'no spaces please'" },
        { "group by no dimension", Rule(groupBy: ["city"]), "Serving:Alerts:Rules:0:GroupBy 'city' is not a dimension of view 'revenue_by_country'; its dimensions are country" },
        { "group by twice", Rule(groupBy: ["country", "country"]), "Serving:Alerts:Rules:0:GroupBy names 'country' twice" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public void A_bad_rule_is_refused_naming_its_key(string why, AlertRuleOptions rule, string expected)
    {
        var result = Validator.Validate(null, new AlertOptions { Rules = [rule] });

        Assert.True(result.Failed, why);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_bad_rule_is_named_by_its_index_and_duplicate_names_are_refused()
    {
        var result = Validator.Validate(null, new AlertOptions { Rules = [Rule(), Rule(name: "R1"), Rule(name: "r3", measure: "nope")] });

        Assert.True(result.Failed);
        Assert.Contains("Serving:Alerts:Rules:1:Name 'R1' repeats an earlier rule's name", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Serving:Alerts:Rules:2:Measure 'nope'", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Rules:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_rules_and_settings_pass()
    {
        var result = Validator.Validate(null, new AlertOptions
        {
            Rules =
            [
                Rule(),
                Rule(name: "big_us_revenue", measure: "revenue", filter: "country:US,country:DE", window: "01:00:00", condition: ">=", threshold: 10_000),
                Rule(name: "hourly", view: "orders_by_status", measure: "avg_amount", filter: "status:failed", window: "02:00:00", condition: ">", threshold: 0.5),
            ],
            WebhookUrl = "http://127.0.0.1:9/hook",
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("00:00:00", "00:00:05", "Serving:Alerts:EvaluationInterval '00:00:00' must be from 00:00:01 to 01:00:00")]
    [InlineData("02:00:00", "00:00:05", "Serving:Alerts:EvaluationInterval '02:00:00' must be from 00:00:01 to 01:00:00")]
    [InlineData("00:00:10", "00:05:00", "Serving:Alerts:WebhookTimeout '00:05:00' must be from 00:00:01 to 00:01:00")]
    public void The_intervals_are_bounded(string interval, string timeout, string expected)
    {
        var result = Validator.Validate(null, new AlertOptions
        {
            EvaluationInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture),
            WebhookTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.org/hook")]
    [InlineData("/relative/hook")]
    public void A_webhook_url_must_be_absolute_http(string url)
    {
        var result = Validator.Validate(null, new AlertOptions { WebhookUrl = url });

        Assert.True(result.Failed);
        Assert.Contains($"Serving:Alerts:WebhookUrl '{url}'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_service_does_not_start_with_a_bad_rule_and_says_which_key()
    {
        await using var broken = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseSetting("Kafka:BootstrapServers", "127.0.0.1:9");
            b.UseSetting("Catalog:Path", TestCatalogs.DefaultPath);
            b.UseSetting("Serving:Alerts:Rules:0:Name", "late");
            b.UseSetting("Serving:Alerts:Rules:0:View", "revenue_by_country");
            b.UseSetting("Serving:Alerts:Rules:0:Measure", "orders");
            b.UseSetting("Serving:Alerts:Rules:0:Window", "00:05:00");
            b.UseSetting("Serving:Alerts:Rules:0:Condition", "=<");
            b.UseSetting("Serving:Alerts:Rules:0:Threshold", "1");
            b.UseSetting("Serving:Alerts:EvaluationInterval", "00:00:00.100");
        });

        var error = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        Assert.Contains("Serving:Alerts:Rules:0:Condition '=<'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Serving:Alerts:EvaluationInterval '00:00:00.1000000' must be from 00:00:01 to 01:00:00", error.ToString(), StringComparison.Ordinal);
    }
}
