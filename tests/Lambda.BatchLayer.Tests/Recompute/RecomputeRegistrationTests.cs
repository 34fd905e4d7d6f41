using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Retention;
using Lambda.Shared.BatchViews;
using Lambda.Shared.ClickHouse;
using Lambda.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Recompute;

public sealed class RecomputeRegistrationTests
{
    [Fact]
    public void The_engine_resolves_with_its_seams_over_the_configured_root()
    {
        var configuration = Configuration(new() { ["Batch:DatasetRoot"] = "/data/lambda", ["Batch:Recompute:ChunkLease"] = "00:00:20" });
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddLambdaRecomputeEngine(configuration)
            .AddLambdaArchiver(configuration)
            .BuildServiceProvider(validateScopes: true);

        Assert.IsType<RecomputeEngine>(services.GetRequiredService<IRecomputeEngine>());
        Assert.IsType<SpeedTableFlushBoundarySource>(services.GetRequiredService<IFlushBoundarySource>());
        Assert.NotNull(services.GetRequiredService<IClickHouseClient>());
        Assert.Equal("/data/lambda", services.GetRequiredService<IManifestStore>().Root);
        Assert.Equal("/data/lambda", services.GetRequiredService<BatchViewReader>().Root);
        Assert.Equal(TimeSpan.FromSeconds(20), services.GetRequiredService<IOptions<RecomputeOptions>>().Value.ChunkLease);
        Assert.IsType<InMemoryRecomputeChunkStore>(services.GetRequiredService<ChunkWorker>().Store);
        var retention = services.GetRequiredService<BatchViewRetention>();
        Assert.Equal(("/data/lambda", true, TimeSpan.FromHours(1)), (retention.Root, retention.Options.Enabled, retention.Options.GracePeriod));
    }

    [Fact]
    public void Retention_settings_bind_from_Batch_Retention()
    {
        var configuration = Configuration(new() { ["Batch:Retention:Enabled"] = "false", ["Batch:Retention:GracePeriod"] = "2.00:00:00" });
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddLambdaRecomputeEngine(configuration)
            .BuildServiceProvider();

        var options = services.GetRequiredService<BatchViewRetention>().Options;

        Assert.Equal((false, TimeSpan.FromDays(2)), (options.Enabled, options.GracePeriod));
    }

    [Fact]
    public void A_flush_boundary_source_registered_first_replaces_the_ClickHouse_one()
    {
        var configuration = Configuration([]);
        var boundaries = new FixedFlushBoundaries();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IFlushBoundarySource>(boundaries)
            .AddLambdaRecomputeEngine(configuration)
            .BuildServiceProvider();

        Assert.Same(boundaries, services.GetRequiredService<IFlushBoundarySource>());
    }

    [Theory]
    [InlineData("Batch:Recompute:MaxDegreeOfParallelism", "0", "MaxDegreeOfParallelism")]
    [InlineData("Batch:Recompute:ChunkLease", "00:00:01", "ChunkLease")]
    [InlineData("Batch:Recompute:DaysPerClaim", "0", "DaysPerClaim")]
    [InlineData("Batch:Recompute:DaysPerClaim", "367", "DaysPerClaim")]
    [InlineData("Batch:Retention:GracePeriod", "-00:01:00", "Batch:Retention:GracePeriod must be between 0 and 365 days")]
    public async Task Invalid_settings_stop_the_host_naming_the_setting(string key, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Configuration(new() { [key] = value }).AsEnumerable());
        builder.Services.AddLambdaRecomputeEngine(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Catalog:Path"] = TestCatalogs.DefaultPath,
            ["ClickHouse:Url"] = "http://127.0.0.1:9",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }
}
