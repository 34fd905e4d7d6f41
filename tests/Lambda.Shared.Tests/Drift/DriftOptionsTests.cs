using Lambda.Shared.Drift;

namespace Lambda.Shared.Tests.Drift;

public sealed class DriftOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_use_the_search_path()
    {
        Assert.True(new DriftOptionsValidator().Validate(null, new DriftOptions()).Succeeded);
        Assert.DoesNotContain(DriftSchema.StatementsFor(null), s => s.Contains("SCHEMA", StringComparison.Ordinal));
        Assert.Contains(DriftSchema.StatementsFor(null), s => s.Contains("CREATE TABLE IF NOT EXISTS drift_audits", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Drift", "Schema")]
    [InlineData("drift; DROP TABLE x", "Schema")]
    [InlineData("1drift", "Schema")]
    public void A_schema_that_is_not_a_plain_identifier_is_refused_naming_the_key(string schema, string key)
    {
        var result = new DriftOptionsValidator().Validate(null, new DriftOptions { Schema = schema });

        Assert.True(result.Failed);
        Assert.Contains($"Drift:{key} '{schema}'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DriftSchema.StatementsFor(schema));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000_001)]
    public void The_stored_differences_must_be_bounded(int max)
    {
        var result = new DriftOptionsValidator().Validate(null, new DriftOptions { MaxStoredDifferences = max });

        Assert.Contains("Drift:MaxStoredDifferences", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_prefixes_every_table_and_is_created_first()
    {
        var statements = DriftSchema.StatementsFor("drift_x");

        Assert.Equal("CREATE SCHEMA IF NOT EXISTS \"drift_x\"", statements[0]);
        Assert.All(statements.Skip(1), s => Assert.Contains("\"drift_x\".drift_", s, StringComparison.Ordinal));
    }
}
