using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.Catalog;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Compose;

/// <summary>
/// Docker cannot run here, so the three services are started as built executables with exactly the environment
/// docker-compose.yml gives them: every variable of their <c>environment:</c> blocks, interpolated as compose would
/// (with made-up secrets), then only the addresses substituted for the local stack's (Kafka, ClickHouse with its
/// credentials, PostgreSQL, the dataset volume's path, the listening port). The object store is compose's own: s3rver
/// (installed by the local stack) run by <c>s3-server/start.js</c> with the object-store service's environment, so the
/// services reach it with compose's made-up key pair. Isolation from the other tests adds the run's own catalog file,
/// database, consumer groups and PostgreSQL schemas (one as the search path, where the object store's commit points
/// live), which compose leaves at their defaults. Producers
/// go through the HTTP ingest with the ingest key; the answers through the query key must equal an oracle computed
/// from the raw events, before and after a recompute started with the admin key.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class ComposeEnvironmentStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int EventCount = 20_000;
    private const string VolumePath = "/var/lib/lambda";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static readonly Dictionary<string, string> Secrets = new(StringComparer.Ordinal)
    {
        ["CLICKHOUSE_PASSWORD"] = "compose-clickhouse-password",
        ["POSTGRES_PASSWORD"] = "compose-postgres-password",
        ["LAMBDA_INGEST_KEY"] = "compose-ingest-" + Guid.NewGuid().ToString("N"),
        ["LAMBDA_QUERY_KEY"] = "compose-query-" + Guid.NewGuid().ToString("N"),
        ["LAMBDA_ADMIN_KEY"] = "compose-admin-" + Guid.NewGuid().ToString("N"),
        ["LAMBDA_METRICS_KEY"] = "compose-metrics-" + Guid.NewGuid().ToString("N"),
        ["S3_ACCESS_KEY"] = "compose-access-" + Guid.NewGuid().ToString("N"),
        ["S3_SECRET_KEY"] = "compose-secret-" + Guid.NewGuid().ToString("N"),
    };

    private PlatformRig _rig = null!;
    private int _objectStorePort;
    private string _storageSchema = null!;

    public async Task InitializeAsync() =>
        _rig = await PlatformRig.CreateAsync("compose", 8, PlatformRig.RevenueByCountryCatalog, TimeSpan.FromSeconds(60));

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Services_started_with_the_compose_environment_answer_exactly_through_their_keys()
    {
        var services = ComposeFile.Load(Path.Combine(RepositoryPaths.Root, "docker-compose.yml"));
        var hangfireSchema = _rig.Schema("hangfire");
        _storageSchema = await _rig.CreateSchemaAsync("storage");
        var objectStore = await StartObjectStoreAsync(services["object-store"]);
        var servingPort = FreePort.Next();
        var batchPort = FreePort.Next();
        var speedPort = FreePort.Next();
        _rig.Start("speed-layer", "Lambda.SpeedLayer", [], LocalEnvironment(services["speed-layer"], speedPort, new()
        {
            ["SpeedLayer__GroupId"] = $"compose-speed-{_rig.RunId}",
        }));
        _rig.Start("batch-layer", "Lambda.BatchLayer", [], LocalEnvironment(services["batch-layer"], batchPort, new()
        {
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"compose-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
            ["Batch__Schedule__HangfireSchema"] = hangfireSchema,
            ["Batch__Schedule__QueuePollInterval"] = "00:00:01",
        }));
        _rig.Start("serving-layer", "Lambda.ServingLayer", [], LocalEnvironment(services["serving-layer"], servingPort, new()
        {
            ["Serving__HangfireSchema"] = hangfireSchema,
            ["Serving__Alerts__Schema"] = _rig.AlertSchema,
            ["Serving__Alerts__LeaderLockKey"] = _rig.AlertLockKey.ToString(CultureInfo.InvariantCulture),
        }));

        using var serving = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{servingPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitForAsync(serving, "healthz", "the serving layer");
        await AssertMetricsNeedTheKeyAsync(serving);

        var events = OrderStream.Generate(EventCount, seed: 515);
        await IngestAsync(serving, events);
        var catalog = CatalogLoader.LoadFile(_rig.CatalogPath);
        var oracle = new JsonViewOracle(catalog.GetView("revenue_by_country"), e => e.GetProperty("status").GetString() == "paid");
        foreach (var json in events)
        {
            oracle.Add(json);
        }

        string? before = null;
        await PlatformRig.Eventually(async () => (before = await DifferenceAsync(serving, oracle)) is null,
            "the speed layer's answer to equal the oracle", Timeout, () => $"{before}\n{Tails()}");

        // The speed layer can answer before the archiver has committed: a recompute started earlier finds nothing to publish.
        var datasetRoot = ComposeInterpolation.Apply(services["batch-layer"].Environment["Batch__DatasetRoot"], Secrets)
            .Replace(VolumePath, _rig.Root, StringComparison.Ordinal);
        // Compose runs the batch layer on the s3 kind: its commits are rows of master_commits in the storage schema.
        var storage = new Npgsql.NpgsqlConnectionStringBuilder(_rig.Stack.PostgresConnectionString) { SearchPath = _storageSchema }.ConnectionString;
        long archived = 0;
        await PlatformRig.Eventually(async () => (archived = (await PlatformRig.MasterCommitEndsAsync(storage, "orders")).Values.Sum()) >= EventCount,
            $"the archiver to commit all {EventCount} events", Timeout, () => $"{archived} archived\n{Tails()}");
        Assert.False(Directory.Exists(Lambda.Shared.Dataset.MasterDatasetLayout.CommitDirectory(datasetRoot, "orders")), "the archiver wrote commit files to the local dataset root");

        var runBefore = await RunIdAsync(serving);
        using (var recompute = new HttpRequestMessage(HttpMethod.Post, "api/admin/batch/recompute"))
        {
            recompute.Headers.Add("X-Api-Key", Secrets["LAMBDA_ADMIN_KEY"]);
            using var response = await serving.SendAsync(recompute);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"recompute answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        string? runAfter = null;
        await PlatformRig.Eventually(async () => (runAfter = await RunIdAsync(serving)) is not null && runAfter != runBefore,
            "the recompute's batch view to be published", Timeout, Tails);
        var after = await DifferenceAsync(serving, oracle);
        Assert.True(after is null, $"after recompute {runAfter}: {after}");
        output.WriteLine($"{EventCount} events through the compose environment equal the oracle before and after recompute {runAfter}");

        // The published manifest is an object in compose's object store (read with compose's key pair), not a local file.
        Assert.NotEmpty(await ObjectKeysAsync(objectStore, Lambda.Shared.BatchViews.ObjectStoreManifestStore.ManifestPrefix));
        Assert.False(File.Exists(Lambda.Shared.BatchViews.BatchViewLayout.ManifestPath(datasetRoot)), "the manifest was written to the local dataset root");

        using var dashboard = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{batchPort}/") };
        using var anonymous = await dashboard.GetAsync("hangfire");
        Assert.False(anonymous.IsSuccessStatusCode, $"the Hangfire dashboard answered {(int)anonymous.StatusCode} without the admin key");
    }

    /// <summary>The service's compose environment, interpolated, with only the local stack's addresses substituted.</summary>
    private Dictionary<string, string> LocalEnvironment(ComposeService service, int port, Dictionary<string, string> isolation)
    {
        var environment = service.Environment.ToDictionary(e => e.Key, e => ComposeInterpolation.Apply(e.Value, Secrets), StringComparer.Ordinal);
        foreach (var key in environment.Keys.ToList())
        {
            var value = environment[key];
            environment[key] = key switch
            {
                "Kafka__BootstrapServers" => value.Replace("kafka:9092", _rig.Stack.KafkaBootstrap, StringComparison.Ordinal),
                "ClickHouse__Url" => _rig.Stack.ClickHouseUrl.AbsoluteUri,
                "ClickHouse__User" => "default",
                "ClickHouse__Password" => "",
                "ClickHouse__Database" => _rig.Database,
                "ConnectionStrings__Postgres" => new Npgsql.NpgsqlConnectionStringBuilder(_rig.Stack.PostgresConnectionString) { SearchPath = _storageSchema }.ConnectionString,
                "Storage__ServiceUrl" => $"http://127.0.0.1:{_objectStorePort}",
                "Batch__DatasetRoot" => value.Replace(VolumePath, _rig.Root, StringComparison.Ordinal),
                "Batch__Urls" => $"http://127.0.0.1:{port}",
                _ => value,
            };
        }

        Assert.Equal("clickhouse", new Uri(service.Environment["ClickHouse__Url"]).Host);
        Assert.Equal("object-store", new Uri(service.Environment["Storage__ServiceUrl"]).Host);

        // The image's Dockerfile sets ASPNETCORE_HTTP_PORTS=8080 (every interface); here one loopback port instead.
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        environment["Catalog__Path"] = _rig.CatalogPath;
        foreach (var (key, value) in isolation)
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>
    /// Runs <c>s3-server/start.js</c> with the object-store service's compose environment; only its data directory (the
    /// volume), address and port are local. Returns the options a service gets from that environment.
    /// </summary>
    private async Task<Lambda.Shared.Storage.StorageOptions> StartObjectStoreAsync(ComposeService service)
    {
        _objectStorePort = FreePort.Next();
        var environment = service.Environment.ToDictionary(e => e.Key, e => ComposeInterpolation.Apply(e.Value, Secrets), StringComparer.Ordinal);
        environment["S3_DIRECTORY"] = Path.Combine(_rig.Root, "object-store");
        environment["S3_ADDRESS"] = "127.0.0.1";
        environment["S3_PORT"] = _objectStorePort.ToString(CultureInfo.InvariantCulture);
        // The local stack installs s3rver from the same lock file (scripts/lambda up); the image's npm ci does it in compose.
        environment["NODE_PATH"] = Path.Combine(RepositoryPaths.StateDirectory, "s3-server", "app", "node_modules");
        var s3Server = Path.Combine(RepositoryPaths.Root, "s3-server");
        _rig.StartProgram("object-store", "node", s3Server, [Path.Combine(s3Server, "start.js")], environment);

        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_objectStorePort}/"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitForAsync(probe, "", "the object store");
        return new Lambda.Shared.Storage.StorageOptions
        {
            Kind = Lambda.Shared.Storage.StorageKind.S3,
            ServiceUrl = $"http://127.0.0.1:{_objectStorePort}",
            Bucket = environment["S3_BUCKET"],
            AccessKey = environment["S3_ACCESS_KEY"],
            SecretKey = environment["S3_SECRET_KEY"],
        };
    }

    private static async Task<List<string>> ObjectKeysAsync(Lambda.Shared.Storage.StorageOptions options, string prefix)
    {
        using var client = Lambda.Shared.Storage.S3ClientFactory.Create(options);
        var store = new Lambda.Shared.Storage.S3ObjectStore(client, options.Bucket!, options.Prefix);
        var keys = new List<string>();
        await foreach (var item in store.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    private async Task AssertMetricsNeedTheKeyAsync(HttpClient serving)
    {
        using var anonymous = await serving.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Add("X-Api-Key", Secrets["LAMBDA_METRICS_KEY"]);
        using var scraped = await serving.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
    }

    private static async Task IngestAsync(HttpClient serving, IReadOnlyList<byte[]> events)
    {
        foreach (var chunk in events.Chunk(5_000))
        {
            var body = new StringBuilder();
            foreach (var json in chunk)
            {
                body.Append(Encoding.UTF8.GetString(json)).Append('\n');
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "api/events/orders")
            {
                Content = new StringContent(body.ToString(), Encoding.UTF8, new MediaTypeHeaderValue("application/x-ndjson")),
            };
            request.Headers.Add("X-Api-Key", Secrets["LAMBDA_INGEST_KEY"]);
            using var response = await serving.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Null when the view's minute rows over the three days equal the oracle's groups, else the first difference.</summary>
    private static async Task<string?> DifferenceAsync(HttpClient serving, JsonViewOracle oracle)
    {
        using var document = await QueryAsync(serving);
        var view = oracle.View;
        var rows = document.RootElement.GetProperty("rows").EnumerateArray().Select(row => (
            DateTimeOffset.Parse(row.GetProperty("bucket").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
            (IReadOnlyList<string>)view.Dimensions.Select(d => row.GetProperty(d.Name).GetString()!).ToArray(),
            (IReadOnlyList<OracleActual>)view.Measures.Select(m => OracleActual.FromJson(row.GetProperty(m.Name))).ToArray()));
        return oracle.FindDifference(rows.ToList());
    }

    private static async Task<string?> RunIdAsync(HttpClient serving)
    {
        using var document = await QueryAsync(serving);
        return document.RootElement.GetProperty("watermark").GetProperty("run_id").GetString();
    }

    private static async Task<JsonDocument> QueryAsync(HttpClient serving)
    {
        var from = OrderStream.Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var to = OrderStream.Start.AddDays(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/views/revenue_by_country?from={from}&to={to}&granularity=minute&group_by=country");
        request.Headers.Add("X-Api-Key", Secrets["LAMBDA_QUERY_KEY"]);
        using var response = await serving.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"the query answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    private async Task WaitForAsync(HttpClient client, string path, string what) =>
        await PlatformRig.Eventually(async () =>
        {
            foreach (var service in _rig.Services)
            {
                service.EnsureRunning();
            }

            try
            {
                using var response = await client.GetAsync(path);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"{what} to answer /{path}", Timeout, Tails);

    private string Tails() =>
        string.Join(Environment.NewLine, _rig.Services.Select(s => $"--- {s.Name}:{Environment.NewLine}{s.Tail}"));
}
