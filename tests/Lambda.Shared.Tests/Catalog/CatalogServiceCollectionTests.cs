using Lambda.Shared.Catalog;
using Lambda.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Tests.Catalog;

public sealed class CatalogServiceCollectionTests
{
    private static IHost BuildHost(string? path)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (path is not null)
        {
            builder.Configuration.AddInMemoryCollection([new("Catalog:Path", path)]);
        }

        builder.Services.AddLambdaCatalog();
        return builder.Build();
    }

    [Fact]
    public async Task The_default_path_is_the_catalog_shipped_next_to_the_application()
    {
        using var host = BuildHost(null);
        await host.StartAsync(CancellationToken.None);

        var catalog = host.Services.GetRequiredService<LambdaCatalog>();

        Assert.Equal(TestCatalogs.DefaultPath, host.Services.GetRequiredService<IOptions<CatalogOptions>>().Value.Path);
        Assert.Equal(TestCatalogs.DefaultPath, catalog.Origin);
        Assert.True(catalog.TryGetView("revenue_by_country", out _));
        await host.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_invalid_catalog_stops_start_up_listing_its_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, """
            sources:
              orders: { topic: orders, time: ts, fields: { amount: long } }
            views:
              v: { source: orders, granularity: minute, measures: { buyers: distinct(usr), total: sum(amount) } }
            """, CancellationToken.None);
        try
        {
            using var host = BuildHost(path);

            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));

            Assert.Contains("views.v.measures.buyers: field 'usr' is not in source 'orders'", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_missing_catalog_file_stops_start_up_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.yaml");
        using var host = BuildHost(path);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }
}
