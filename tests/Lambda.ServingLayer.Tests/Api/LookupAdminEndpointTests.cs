using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Shared.Lookups;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lambda.ServingLayer.Tests.Api;

public sealed class LookupAdminEndpointTests : IClassFixture<ServingAppFactory>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookup-api-").FullName;
    private readonly WebApplicationFactory<Program> _app;
    private readonly FileLookupStore _store;

    public LookupAdminEndpointTests(ServingAppFactory factory)
    {
        _store = new FileLookupStore(_root, TimeProvider.System);
        _app = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.RemoveAll<FileLookupStore>().AddSingleton(_store)));
    }

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private HttpClient Client(string key)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static StringContent Body(string text, string contentType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Fact]
    public async Task Csv_then_json_publish_new_versions_and_get_answers_the_current_rows()
    {
        using var client = Client(ServingAppFactory.AdminKey);
        using var first = await client.PutAsync("/api/admin/lookups/fx_rates", Body("currency,valid_from,rate_to_eur\nUSD,2026-01-01,0.92\nEUR,2026-01-01,1\n", "text/csv"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt64());

        using var second = await client.PutAsync("/api/admin/lookups/fx_rates",
            Body("""[{"currency":"USD","valid_from":"2026-01-01","rate_to_eur":0.9},{"currency":"USD","valid_from":"2026-02-01","rate_to_eur":"0.85"}]""", "application/json"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        using var get = await client.GetAsync("/api/admin/lookups/fx_rates");
        var body = JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, body.GetProperty("version").GetInt64());
        var rows = body.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Equal("2026-02-01", rows[1].GetProperty("valid_from").GetString());
        Assert.Equal(0.85m, rows[1].GetProperty("rate_to_eur").GetDecimal());
        Assert.True(File.Exists(_store.FileOf("fx_rates", 1)));
    }

    [Theory]
    [InlineData("nope", "country,region\nUS,na\n", "text/csv", HttpStatusCode.NotFound, "name")]
    [InlineData("countries", "region,currency\nna,USD\n", "text/csv", HttpStatusCode.BadRequest, "country")]
    [InlineData("countries", "country,region,currency\n\"US,na,USD\n", "text/csv", HttpStatusCode.BadRequest, "body")]
    [InlineData("fx_rates", "currency,valid_from,rate_to_eur\nUSD,2026-01-01,lots\n", "text/csv", HttpStatusCode.BadRequest, "rate_to_eur")]
    [InlineData("fx_rates", "[{\"currency\":\"USD\",\"valid_from\":\"yesterday\",\"rate_to_eur\":1}]", "application/json", HttpStatusCode.BadRequest, "valid_from")]
    [InlineData("fx_rates", "{\"currency\":\"USD\"}", "application/json", HttpStatusCode.BadRequest, "body")]
    [InlineData("countries", "country: US", "text/yaml", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    public async Task A_bad_publish_is_a_problem_naming_the_field_and_stores_nothing(string lookup, string body, string contentType, HttpStatusCode status, string field)
    {
        using var client = Client(ServingAppFactory.AdminKey);
        using var ok = await client.PutAsync("/api/admin/lookups/countries", Body("country,region,currency\nUS,na,USD\n", "text/csv"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var before = Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).Order().Select(f => (f, File.ReadAllText(f))).ToArray();

        using var response = await client.PutAsync($"/api/admin/lookups/{lookup}", Body(body, contentType));

        await ProblemAssert.ReadNamingAsync(response, status, field);
        Assert.Equal(before, Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).Order().Select(f => (f, File.ReadAllText(f))).ToArray());
    }

    [Fact]
    public async Task Publishing_needs_the_admin_scope()
    {
        using var client = Client(ServingAppFactory.QueryKey);
        using var response = await client.PutAsync("/api/admin/lookups/countries", Body("country,region,currency\nUS,na,USD\n", "text/csv"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(Directory.Exists(_store.FolderOf("countries")));
    }
}
