using Lambda.Shared.Kafka.Epochs;
using Lambda.BatchLayer.Archive;
using Lambda.BatchLayer.Archive.Fencing;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Kafka;
using Lambda.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Tests.Archive;

public sealed class ArchiverRegistrationTests
{
    [Fact]
    public void A_disabled_archiver_registers_no_hosted_service_and_needs_no_Kafka()
    {
        using var services = Build(new() { ["Batch:DatasetRoot"] = "/data/lambda" });

        Assert.Empty(services.GetServices<IHostedService>());
        Assert.Null(services.GetService<KafkaClientConfigFactory>());
        Assert.Equal("/data/lambda", services.GetRequiredService<IOptions<BatchStorageOptions>>().Value.ResolveRoot());
        Assert.False(services.GetRequiredService<IOptions<ArchiverOptions>>().Value.Enabled);
    }

    [Fact]
    public void An_enabled_archiver_is_a_hosted_service_resolvable_as_itself()
    {
        using var services = Build(new()
        {
            ["Batch:Archiver:Enabled"] = "true",
            ["Batch:Archiver:Sources:0"] = "payments",
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
        });

        // The health checks bring their publisher; the archiver is the only hosted service of its own.
        var hosted = Assert.Single(services.GetServices<IHostedService>(), h => h.GetType().Name != "HealthCheckPublisherHostedService");
        Assert.Same(services.GetRequiredService<ArchiverService>(), hosted);
        Assert.Equal(["payments"], services.GetRequiredService<ArchiverService>().Sources.Select(s => s.Name));
        Assert.NotNull(services.GetService<KafkaClientConfigFactory>());
        Assert.NotNull(services.GetService<EpochPlanner>());
    }

    [Fact]
    public void Fencing_is_off_by_default_and_takes_its_tokens_from_PostgreSQL_when_on()
    {
        var enabled = new Dictionary<string, string?> { ["Batch:Archiver:Enabled"] = "true", ["Kafka:BootstrapServers"] = "127.0.0.1:9" };
        using (var services = Build(enabled))
        {
            Assert.IsType<UnfencedArchiver>(services.GetRequiredService<IArchiverFence>());
        }

        enabled["Batch:Archiver:Fencing"] = "true";
        enabled["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=9;Username=postgres;Database=lambda";
        using (var services = Build(enabled))
        {
            Assert.IsType<PostgresArchiverFence>(services.GetRequiredService<IArchiverFence>());
        }

        // On without a connection string: the error names the setting.
        enabled.Remove("ConnectionStrings:Postgres");
        using (var services = Build(enabled))
        {
            var error = Assert.Throws<ArgumentException>(() => services.GetRequiredService<IArchiverFence>());
            Assert.Contains("ConnectionStrings:Postgres", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Batch:Archiver:MaxBatchEvents", "0", "MaxBatchEvents")]
    [InlineData("Batch:Archiver:FlushInterval", "00:00:00", "FlushInterval")]
    [InlineData("Batch:Archiver:ConsumerGroupPrefix", "", "ConsumerGroupPrefix")]
    [InlineData("Batch:DatasetRoot", "", "DatasetRoot")]
    [InlineData("Batch:Archiver:MaxLagShareOfRetention", "1.5", "MaxLagShareOfRetention")]
    [InlineData("Batch:Archiver:RetainedMessagesPerPartition", "0", "RetainedMessagesPerPartition")]
    [InlineData("Batch:Archiver:LagReportInterval", "00:00:00", "LagReportInterval")]
    public async Task Invalid_settings_stop_the_host_naming_the_setting(string key, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings(new() { [key] = value }));
        builder.Services.AddLambdaArchiver(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_source_stops_the_host_naming_the_catalog_sources()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings(new() { ["Batch:Archiver:Sources:0"] = "nope" }));
        builder.Services.AddLambdaArchiver(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Batch:Archiver:Sources names 'nope'", error.Message, StringComparison.Ordinal);
        Assert.Contains("orders", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?> { ["Catalog:Path"] = TestCatalogs.DefaultPath };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(settings)).Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddLambdaArchiver(configuration).BuildServiceProvider();
    }
}
