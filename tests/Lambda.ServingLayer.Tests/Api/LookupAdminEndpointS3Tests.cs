using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Lambda.ServingLayer.Tests.Api;

/// <summary>
/// The lookup admin endpoint of a serving layer configured with <c>Storage:Kind=s3</c>: the versions land in the
/// stack's S3-protocol server and are committed in PostgreSQL (a schema of the test's own), nothing under the dataset root.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class LookupAdminEndpointS3Tests(ServingAppFactory factory) : IClassFixture<ServingAppFactory>, IAsyncLifetime
{
    private readonly S3TestStore _s3 = S3TestStore.Create();
    private PostgresTestSchema _schema = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync("it_lookup_api");
        var connection = new NpgsqlConnectionStringBuilder(StackEndpoints.Load().PostgresConnectionString) { SearchPath = _schema.Name }.ConnectionString;
        _app = factory.WithWebHostBuilder(b => b.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Kind"] = "s3",
            ["Storage:ServiceUrl"] = _s3.Options.ServiceUrl,
            ["Storage:Bucket"] = _s3.Options.Bucket,
            ["Storage:Prefix"] = _s3.Options.Prefix,
            ["Storage:AccessKey"] = _s3.Options.AccessKey,
            ["Storage:SecretKey"] = _s3.Options.SecretKey,
            ["ConnectionStrings:Postgres"] = connection,
        })));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _schema.DisposeAsync();
        await _s3.DisposeAsync();
    }

    [Fact]
    public async Task A_publish_goes_to_the_bucket_and_the_get_answers_the_current_version_from_it()
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ServingAppFactory.AdminKey);
        using var first = await client.PutAsync("/api/admin/lookups/fx_rates", Csv("currency,valid_from,rate_to_eur\nUSD,2026-01-01,0.92\n"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await client.PutAsync("/api/admin/lookups/fx_rates", Csv("currency,valid_from,rate_to_eur\nUSD,2026-01-01,0.9\nEUR,2026-01-01,1\n"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        using var get = await client.GetAsync("/api/admin/lookups/fx_rates");
        var body = JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, body.GetProperty("version").GetInt64());
        Assert.Equal(2, body.GetProperty("rows").GetArrayLength());

        var keys = new List<string>();
        await foreach (var item in _s3.Store.ListAsync("lookups/fx_rates/", CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        Assert.Equal(2, keys.Count);
        Assert.False(Directory.Exists(Path.Combine(factory.DatasetRoot, "lookups")));
    }

    private static StringContent Csv(string text)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv");
        return content;
    }
}
