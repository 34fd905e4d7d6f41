using Lambda.ServingLayer.Querying;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>The test app with other <c>Serving:Limits</c> settings (and optionally another speed reader), and its clients.</summary>
internal static class LimitedApps
{
    /// <summary>The app of <paramref name="factory"/> with each <c>Serving:Limits:&lt;key&gt;</c> of <paramref name="limits"/> set.</summary>
    public static WebApplicationFactory<Program> WithLimits(this ServingAppFactory factory, Dictionary<string, string> limits, ISpeedViewReader? reader = null, TimeProvider? time = null) =>
        factory.WithWebHostBuilder(builder =>
        {
            builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(
                limits.Select(l => new KeyValuePair<string, string?>($"Serving:Limits:{l.Key}", l.Value))));
            builder.ConfigureTestServices(services =>
            {
                if (reader is not null)
                {
                    services.RemoveAll<ISpeedViewReader>().AddSingleton(reader);
                }

                if (time is not null)
                {
                    services.RemoveAll<TimeProvider>().AddSingleton(time);
                }
            });
        });

    /// <summary>A client of <paramref name="app"/> sending <paramref name="apiKey"/>.</summary>
    public static HttpClient ClientOf(WebApplicationFactory<Program> app, string apiKey)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }
}
