using Lambda.Shared.Catalog;
using Lambda.Shared.Deployment;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Tests.Deployment;

public sealed class LambdaModeOptionsTests
{
    private const string Catalog = """
        sources:
          orders:
            topic: orders
            time: ts
            fields: { user_id: string, country: string, amount: "decimal(18,2)", status: string }
        views:
          revenue_by_country:
            source: orders
            where: status = 'paid'
            granularity: minute
            dimensions: [country]
            measures: { orders: count, revenue: sum(amount) }
        """;

    [Theory]
    [InlineData(null, LambdaMode.Lambda)]
    [InlineData("lambda", LambdaMode.Lambda)]
    [InlineData("kappa", LambdaMode.Kappa)]
    [InlineData(" KAPPA ", LambdaMode.Kappa)]
    public void The_mode_is_read_through_the_options_pattern(string? configured, LambdaMode expected)
    {
        using var provider = Provider(configured);

        var options = provider.GetRequiredService<IOptions<LambdaModeOptions>>().Value;

        Assert.Equal(expected, options.Parsed);
        Assert.Equal(expected == LambdaMode.Kappa, options.IsKappa);
    }

    [Theory]
    [InlineData("kapa")]
    [InlineData("")]
    [InlineData("batch")]
    public void Any_other_mode_fails_validation_naming_the_setting_and_the_value(string configured)
    {
        using var provider = Provider(configured);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LambdaModeOptions>>().Value);

        Assert.Contains("Lambda:Mode", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{configured}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kappa_build_of_a_view_is_a_version_of_its_own_and_lambda_keeps_its_hash()
    {
        var lambda = CatalogLoader.Parse(Catalog);

        var kappa = lambda.ForMode(LambdaMode.Kappa);

        Assert.Same(lambda, lambda.ForMode(LambdaMode.Lambda));
        var view = lambda.GetView("revenue_by_country");
        var kappaView = kappa.GetView("revenue_by_country");
        Assert.Null(view.Build);
        Assert.Equal("kappa", kappaView.Build);
        Assert.NotEqual(view.DefinitionHash, kappaView.DefinitionHash);
        Assert.Equal(view.Name, kappaView.Name);
        Assert.Same(view.Source, kappaView.Source);
        Assert.Equal(CatalogLoader.Parse(Catalog).GetView("revenue_by_country").DefinitionHash, view.DefinitionHash);
        Assert.Equal(kappaView.DefinitionHash, CatalogLoader.Parse(Catalog).ForMode(LambdaMode.Kappa).GetView("revenue_by_country").DefinitionHash);
    }

    private static ServiceProvider Provider(string? mode)
    {
        var settings = new Dictionary<string, string?>();
        if (mode is not null)
        {
            settings["Lambda:Mode"] = mode;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLambdaMode();
        return services.BuildServiceProvider();
    }
}
