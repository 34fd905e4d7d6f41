using Lambda.SpeedLayer.Fencing;
using Microsoft.Extensions.Configuration;

namespace Lambda.SpeedLayer.Tests.Fencing;

/// <summary>With fencing on, the speed layer refuses to start without the PostgreSQL its tokens come from.</summary>
public sealed class FencingOptionsValidatorTests
{
    [Fact]
    public void Fencing_without_a_PostgreSQL_connection_string_is_refused_naming_both_keys()
    {
        var result = new FencingOptionsValidator(Configuration(null)).Validate(null, new SpeedLayerOptions { Fencing = true });

        Assert.True(result.Failed);
        Assert.Contains("SpeedLayer:Fencing", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Postgres", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Fencing_with_a_connection_string_or_fencing_off_is_accepted()
    {
        Assert.True(new FencingOptionsValidator(Configuration("Host=db;Database=lambda")).Validate(null, new SpeedLayerOptions { Fencing = true }).Succeeded);
        Assert.True(new FencingOptionsValidator(Configuration(null)).Validate(null, new SpeedLayerOptions { Fencing = false }).Succeeded);
    }

    private static IConfiguration Configuration(string? postgres) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = postgres }).Build();
}
