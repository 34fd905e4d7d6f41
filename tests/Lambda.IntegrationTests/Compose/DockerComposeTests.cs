using System.Text.RegularExpressions;
using Lambda.Testing;

namespace Lambda.IntegrationTests.Compose;

/// <summary>
/// Docker cannot run where the suite runs, so docker-compose.yml is checked statically: its services are built
/// from the repository's one Dockerfile, each from its own project, and configured only through keys the code reads.
/// </summary>
public sealed partial class DockerComposeTests
{
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

    private static string DockerfilePath(ComposeService service) =>
        Path.GetFullPath(Path.Combine(RepositoryPaths.Root, service.BuildContext!, service.Dockerfile!));

    [GeneratedRegex(@"(?:^|;)\s*Host\s*=\s*(?<host>[^;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex PostgresHost();

    [GeneratedRegex(@"^clickhouse/clickhouse-server:\d{2}\.(3|8)(\.|$)")]
    private static partial Regex LtsClickHouse();
}
