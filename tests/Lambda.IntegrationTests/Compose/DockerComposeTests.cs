using System.Text.RegularExpressions;
using Lambda.Testing;

namespace Lambda.IntegrationTests.Compose;

/// <summary>
/// Docker cannot run where the suite runs, so docker-compose.yml is checked statically: its services are built
/// from the repository's one Dockerfile, each from its own project, and configured only through keys the code reads.
/// </summary>
public sealed partial class DockerComposeTests
{
    private const string ObjectStoreService = "object-store";
    private static readonly string ComposePath = Path.Combine(RepositoryPaths.Root, "docker-compose.yml");
    private static readonly IReadOnlyDictionary<string, ComposeService> Services = ComposeFile.Load(ComposePath);

    public static TheoryData<string> ApplicationServices()
    {
        var data = new TheoryData<string>();
        foreach (var name in Services.Values.Where(s => s.Dockerfile is not null).Select(s => s.Name))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void The_three_services_are_built_from_the_one_repository_Dockerfile()
    {
        var built = Services.Values.Where(s => s.Dockerfile is not null).ToList();

        Assert.Equal(["batch-layer", "serving-layer", "speed-layer"], built.Select(s => s.BuildArgs["SERVICE"]).Order(StringComparer.Ordinal));
        Assert.All(built, s => Assert.Equal(Path.Combine(RepositoryPaths.Root, "Dockerfile"), DockerfilePath(s)));
        Assert.Equal(["Dockerfile"], Directory.EnumerateFiles(RepositoryPaths.Root, "Dockerfile", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}.state{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(RepositoryPaths.Root, path)));
    }

    [Theory]
    [MemberData(nameof(ApplicationServices))]
    public void Service_is_built_from_its_project_and_configured_only_through_keys_the_code_reads(string name)
    {
        var service = Services[name];
        var projectDirectory = Path.Combine(RepositoryPaths.Root, service.BuildArgs["SERVICE"]);
        var project = Assert.Single(Directory.GetFiles(projectDirectory, "*.csproj"));
        Assert.Equal(service.BuildArgs["PROJECT"] + ".csproj", Path.GetFileName(project));
        Assert.Contains("${SERVICE}/${PROJECT}.csproj", File.ReadAllText(DockerfilePath(service)), StringComparison.Ordinal);

        var keys = ConfigurationKeys.ForProject(projectDirectory);
        var unknown = service.Environment.Keys
            .Where(variable => !keys.Contains(ConfigurationKeys.FromEnvironmentVariable(variable)))
            .ToList();

        Assert.NotEmpty(service.Environment);
        Assert.True(unknown.Count == 0,
            $"{name} sets environment variables that map to no configuration key it reads: {string.Join(", ", unknown)}. " +
            $"Known keys: {string.Join(", ", keys.Keys.Order(StringComparer.Ordinal))}");
    }

    [Theory]
    [MemberData(nameof(ApplicationServices))]
    public void Service_reaches_kafka_clickhouse_and_postgres_by_their_compose_names(string name)
    {
        var service = Services[name];
        var environment = service.Environment;

        var kafkaHosts = environment["Kafka__BootstrapServers"].Split(',').Select(e => e.Trim().Split(':')[0]).ToList();
        var clickHouseHost = new Uri(environment["ClickHouse__Url"]).Host;
        var postgresHost = PostgresHost().Match(environment["ConnectionStrings__Postgres"]).Groups["host"].Value;

        foreach (var host in kafkaHosts.Append(clickHouseHost).Append(postgresHost))
        {
            Assert.True(Services.ContainsKey(host), $"{name} points at '{host}', which is not a service of the compose file");
        }

        Assert.Equal("kafka", Services[kafkaHosts[0]].Name);
        Assert.StartsWith("clickhouse/clickhouse-server:", Services[clickHouseHost].Image, StringComparison.Ordinal);
        Assert.StartsWith("postgres:", Services[postgresHost].Image, StringComparison.Ordinal);
        Assert.Contains("clickhouse", service.DependsOn);
        Assert.Contains("postgres", service.DependsOn);
        Assert.Contains(service.DependsOn, d => d.StartsWith("kafka", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ApplicationServices))]
    public void Service_keeps_its_storage_in_the_object_store_service_under_the_same_key_pair(string name)
    {
        var service = Services[name];
        var environment = service.Environment;
        var store = Services[ObjectStoreService];

        Assert.Equal("s3", environment["Storage__Kind"]);
        var url = new Uri(environment["Storage__ServiceUrl"]);
        Assert.Equal(ObjectStoreService, url.Host);
        Assert.Equal(store.Environment["S3_PORT"], url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(store.Environment["S3_BUCKET"], environment["Storage__Bucket"]);
        Assert.Equal(store.Environment["S3_ACCESS_KEY"], environment["Storage__AccessKey"]);
        Assert.Equal(store.Environment["S3_SECRET_KEY"], environment["Storage__SecretKey"]);
        Assert.Contains(ObjectStoreService, service.DependsOn);
    }

    [Fact]
    public void The_object_store_is_the_local_stacks_s3rver_started_from_s3_server_with_the_key_pair()
    {
        var store = Services[ObjectStoreService];
        var s3Server = Path.Combine(RepositoryPaths.Root, "s3-server");
        using var package = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(s3Server, "package.json")));

        Assert.StartsWith("node:", store.Image, StringComparison.Ordinal);
        Assert.Equal("3.7.1", package.RootElement.GetProperty("dependencies").GetProperty("s3rver").GetString());
        Assert.Contains("./s3-server:/src:ro", store.Volumes);
        Assert.Contains("npm ci", store.Command, StringComparison.Ordinal);
        Assert.Contains("node start.js", store.Command, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(s3Server, "start.js")));
        Assert.All(["S3_ACCESS_KEY", "S3_SECRET_KEY"], key => Assert.Contains(key, File.ReadAllText(Path.Combine(s3Server, "start.js")), StringComparison.Ordinal));
        Assert.Contains(store.Volumes, v => v.EndsWith(":" + store.Environment["S3_DIRECTORY"], StringComparison.Ordinal) && !v.StartsWith('.'));
    }

    [Fact]
    public void Infrastructure_is_kafka_in_kraft_mode_clickhouse_lts_and_postgres_16()
    {
        var kafka = Services["kafka"];
        Assert.StartsWith("apache/kafka:", kafka.Image, StringComparison.Ordinal);
        Assert.Contains("controller", kafka.Environment["KAFKA_PROCESS_ROLES"], StringComparison.Ordinal);
        Assert.Contains("broker", kafka.Environment["KAFKA_PROCESS_ROLES"], StringComparison.Ordinal);
        Assert.DoesNotContain(Services.Values, s => s.Image?.Contains("zookeeper", StringComparison.OrdinalIgnoreCase) == true);
        Assert.DoesNotContain(kafka.Environment.Keys, k => k.Contains("ZOOKEEPER", StringComparison.Ordinal));

        // ClickHouse's long-term-support releases are the year's .3 and .8 versions.
        Assert.Matches(LtsClickHouse(), Services["clickhouse"].Image);
        Assert.Equal("postgres:16", Services["postgres"].Image);
    }

    [Theory]
    [InlineData("Kafka__BootstrapServers", true)]
    [InlineData("Kafka__Client__sasl.mechanism", true)]
    [InlineData("ClickHouse__Password", true)]
    [InlineData("ConnectionStrings__Postgres", true)]
    [InlineData("Kafka__BootstrapServer", false)]
    [InlineData("Kafka__Client", true)]
    [InlineData("ClickHouse__Uri", false)]
    [InlineData("ConnectionStrings__Postgre", false)]
    [InlineData("KAFKA_BOOTSTRAP_SERVERS", false)]
    public void Key_check_tells_real_keys_from_misspelt_ones(string variable, bool real)
    {
        var keys = ConfigurationKeys.ForProject(Path.Combine(RepositoryPaths.Root, "serving-layer"));

        Assert.Equal(real, keys.Contains(ConfigurationKeys.FromEnvironmentVariable(variable)));
    }

    [Fact]
    public void Every_secret_is_a_required_variable_never_a_value_in_the_file()
    {
        var secrets = Services.Values
            .SelectMany(s => s.Environment.Select(e => (Service: s.Name, Variable: e.Key, e.Value)))
            .Where(e => IsSecret(e.Variable))
            .ToList();

        Assert.Contains(secrets, s => s.Variable == "Serving__ApiKeys__0__Key");
        Assert.Contains(secrets, s => s.Variable == "POSTGRES_PASSWORD");
        Assert.Contains(secrets, s => s.Variable == "Storage__SecretKey");
        Assert.Contains(secrets, s => s.Variable == "S3_SECRET_KEY");
        foreach (var (service, variable, value) in secrets)
        {
            var references = ComposeInterpolation.References(value).ToList();
            Assert.True(references.Count > 0 && references.All(r => r.Required),
                $"{service}: {variable} must come from a required variable (${{NAME:?message}}), not '{value}'");
            var error = Assert.Throws<ComposeVariableException>(() => ComposeInterpolation.Apply(value, new Dictionary<string, string>()));
            Assert.Equal(references[0].Name, error.Name);
        }
    }

    [Fact]
    public void Kafka_and_the_object_store_are_not_published_and_ClickHouse_only_on_loopback_behind_its_password()
    {
        Assert.Empty(Services["kafka"].Ports);
        Assert.Empty(Services[ObjectStoreService].Ports);
        Assert.DoesNotContain(Services["kafka"].Environment["KAFKA_ADVERTISED_LISTENERS"].Split(','), l => l.Contains("localhost", StringComparison.Ordinal));

        var clickHouse = Services["clickhouse"];
        Assert.NotEmpty(clickHouse.Ports);
        Assert.All(clickHouse.Ports, port => Assert.StartsWith("127.0.0.1:", port, StringComparison.Ordinal));
        Assert.Contains(ComposeInterpolation.References(clickHouse.Environment["CLICKHOUSE_PASSWORD"]), r => r.Required);
        Assert.All(Services.Values.Where(s => s.Image is not null && s.Name != "clickhouse"), s => Assert.Empty(s.Ports));
    }

    [Fact]
    public void The_topic_job_creates_every_catalog_source_topic_and_its_dead_letter_topic()
    {
        var catalog = Lambda.Shared.Catalog.CatalogLoader.LoadFile(Path.Combine(RepositoryPaths.Root, "shared", "catalog.yaml"));
        var command = Services["kafka-topics"].Command;
        var loop = TopicLoop().Match(command);

        Assert.True(loop.Success, $"the kafka-topics command has no 'for topic in ...' loop: {command}");
        Assert.Contains("--topic \"$$topic.dlq\"", command, StringComparison.Ordinal);
        Assert.Equal(
            catalog.Sources.Select(s => s.Topic).Order(StringComparer.Ordinal),
            loop.Groups["topics"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Batch_and_serving_layers_share_the_dataset_volume_and_bind_every_interface()
    {
        var batch = Services["batch-layer"];
        var serving = Services["serving-layer"];
        var batchMount = NamedVolumeMount(batch);
        Assert.Equal(batchMount, NamedVolumeMount(serving));
        Assert.All(new[] { batch, serving }, s => Assert.StartsWith(batchMount.Path + "/", s.Environment["Batch__DatasetRoot"], StringComparison.Ordinal));

        // Inside a container, a loopback address is unreachable from the published port.
        Assert.Contains("0.0.0.0", batch.Environment["Batch__Urls"], StringComparison.Ordinal);
        Assert.All(Services.Values.SelectMany(s => s.Environment), e => Assert.DoesNotContain("127.0.0.1", e.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void Serving_has_a_key_for_every_scope_and_the_Hangfire_dashboard_the_admin_key()
    {
        var serving = Services["serving-layer"].Environment;
        var scopes = serving.Where(e => ScopeVariable().IsMatch(e.Key)).Select(e => e.Value).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["ingest", "query", "admin"], StringComparer.Ordinal), scopes);

        var admin = serving.Single(e => ScopeVariable().IsMatch(e.Key) && e.Value == "admin").Key;
        var adminKey = serving[admin[..admin.IndexOf("__Scopes", StringComparison.Ordinal)] + "__Key"];
        Assert.Equal(adminKey, Services["batch-layer"].Environment["Batch__Dashboard__ApiKeys__0"]);
    }

    private static (string Volume, string Path) NamedVolumeMount(ComposeService service)
    {
        var mount = Assert.Single(service.Volumes).Split(':');
        Assert.False(mount[0].StartsWith('.') || mount[0].StartsWith('/'), $"{service.Name} mounts a host path, not a named volume: {mount[0]}");
        return (mount[0], mount[1]);
    }

    private static bool IsSecret(string variable) =>
        variable.EndsWith("PASSWORD", StringComparison.OrdinalIgnoreCase)
        || variable.EndsWith("__Password", StringComparison.Ordinal)
        || variable.EndsWith("__Key", StringComparison.Ordinal)
        || variable.EndsWith("ApiKey", StringComparison.Ordinal)
        || variable.EndsWith("AccessKey", StringComparison.Ordinal)
        || variable.EndsWith("SecretKey", StringComparison.Ordinal)
        || variable.EndsWith("_KEY", StringComparison.Ordinal)
        || DashboardKeyVariable().IsMatch(variable)
        || variable.StartsWith("ConnectionStrings__", StringComparison.Ordinal);

    private static string DockerfilePath(ComposeService service) =>
        Path.GetFullPath(Path.Combine(RepositoryPaths.Root, service.BuildContext!, service.Dockerfile!));

    [GeneratedRegex(@"(?:^|;)\s*Host\s*=\s*(?<host>[^;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex PostgresHost();

    [GeneratedRegex(@"for topic in (?<topics>[a-z0-9_. -]+); do")]
    private static partial Regex TopicLoop();

    [GeneratedRegex(@"__ApiKeys__\d+$")]
    private static partial Regex DashboardKeyVariable();

    [GeneratedRegex(@"^Serving__ApiKeys__\d+__Scopes__\d+$")]
    private static partial Regex ScopeVariable();

    [GeneratedRegex(@"^clickhouse/clickhouse-server:\d{2}\.(3|8)(\.|$)")]
    private static partial Regex LtsClickHouse();
}
