namespace Lambda.Testing;

/// <summary>
/// Where the local stack (started by <c>scripts/lambda up</c>) listens. The stack writes
/// <c>.state/stack.env</c> (KEY=VALUE lines); environment variables of the same name win, so the
/// tests can also be pointed at servers started some other way.
/// </summary>
public sealed record StackEndpoints
{
    /// <summary>Kafka bootstrap servers (LAMBDA_KAFKA_BOOTSTRAP).</summary>
    public required string KafkaBootstrap { get; init; }

    /// <summary>
    /// Base URL of the development broker's control API (LAMBDA_KAFKA_ADMIN_URL), used to create topics
    /// with exact partition counts; null when the tests are pointed at a Kafka without one.
    /// </summary>
    public Uri? KafkaAdminUrl { get; init; }

    /// <summary>
    /// ClickHouse HTTP interface base URL: LAMBDA_CLICKHOUSE_URL (18.16), or LAMBDA_CLICKHOUSE_CURRENT_URL
    /// (the chDB server) when <see cref="ClickHouseEngine"/> is <see cref="Testing.ClickHouseEngine.Current"/>.
    /// </summary>
    public required Uri ClickHouseUrl { get; init; }

    /// <summary>Which ClickHouse <see cref="ClickHouseUrl"/> points at (LAMBDA_CLICKHOUSE_ENGINE: <c>debian</c>, the default, or <c>current</c>).</summary>
    public ClickHouseEngine ClickHouseEngine { get; init; }

    /// <summary>Npgsql connection string of the platform database (LAMBDA_POSTGRES).</summary>
    public required string PostgresConnectionString { get; init; }

    /// <summary>
    /// The local S3-protocol server (LAMBDA_S3_URL, LAMBDA_S3_BUCKET, LAMBDA_S3_ACCESS_KEY, LAMBDA_S3_SECRET_KEY); null
    /// when the stack was started before it had one (the storage tests then say to run <c>scripts/lambda up</c>).
    /// </summary>
    public S3Endpoint? S3 { get; init; }

    /// <summary>Reads the endpoints; fails with a message that says how to start the stack.</summary>
    public static StackEndpoints Load()
    {
        var file = Path.Combine(RepositoryPaths.StateDirectory, "stack.env");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(file))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && !line.StartsWith('#'))
                {
                    values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
                }
            }
        }

        string? Find(string key) =>
            Environment.GetEnvironmentVariable(key) is { Length: > 0 } env ? env
            : values.TryGetValue(key, out var v) && v.Length > 0 ? v
            : null;

        string Get(string key) =>
            Find(key) ?? throw new InvalidOperationException(
                $"{key} is not set and '{file}' does not define it: start the local stack with 'scripts/lambda up'.");

        var engine = Find("LAMBDA_CLICKHOUSE_ENGINE") switch
        {
            null or "debian" => ClickHouseEngine.Debian,
            "current" => ClickHouseEngine.Current,
            var other => throw new InvalidOperationException(
                $"LAMBDA_CLICKHOUSE_ENGINE must be 'debian' (ClickHouse 18.16) or 'current' (the chDB server), not '{other}'."),
        };

        return new StackEndpoints
        {
            KafkaBootstrap = Get("LAMBDA_KAFKA_BOOTSTRAP"),
            KafkaAdminUrl = Find("LAMBDA_KAFKA_ADMIN_URL") is { } adminUrl ? new Uri(adminUrl) : null,
            ClickHouseUrl = new Uri(Get(engine == ClickHouseEngine.Current ? "LAMBDA_CLICKHOUSE_CURRENT_URL" : "LAMBDA_CLICKHOUSE_URL")),
            ClickHouseEngine = engine,
            PostgresConnectionString = Get("LAMBDA_POSTGRES"),
            S3 = Find("LAMBDA_S3_URL") is { } s3Url
                ? new S3Endpoint(new Uri(s3Url), Get("LAMBDA_S3_BUCKET"), Get("LAMBDA_S3_ACCESS_KEY"), Get("LAMBDA_S3_SECRET_KEY"))
                : null,
        };
    }
}
