using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using Lambda.Testing;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// One run of the platform's built services on the local stack, isolated from every other run: its own topics, ClickHouse
/// database, dataset root (under the state directory) and catalog file. Disposing stops the services and removes all of it.
/// </summary>
internal sealed class PlatformRig : IAsyncDisposable
{
    private readonly List<ServiceProcess> _services = [];
    private readonly Dictionary<string, string> _topics = new(StringComparer.Ordinal);

    private readonly HashSet<string> _schemas = new(StringComparer.Ordinal);

    private PlatformRig(string name, StackEndpoints stack, TimeSpan httpTimeout)
    {
        RunId = Guid.NewGuid().ToString("N")[..12];
        Stack = stack;
        Http = new HttpClient { Timeout = httpTimeout };
        Root = Path.Combine(RepositoryPaths.StateDirectory, name, RunId);
        Database = $"{name.Replace('-', '_')}_{RunId}";
        CatalogPath = Path.Combine(Root, "catalog.yaml");
        AlertSchema = Schema("alerts");
        AlertLockKey = Random.Shared.NextInt64(1, long.MaxValue);
    }

    public string RunId { get; }

    public StackEndpoints Stack { get; }

    public HttpClient Http { get; }

    /// <summary>The dataset root; the catalog file lives there too.</summary>
    public string Root { get; }

    public string Database { get; }

    public string CatalogPath { get; }

    /// <summary>The run's PostgreSQL schema of the serving layer's alert tables (runs must not share rules or states).</summary>
    public string AlertSchema { get; }

    /// <summary>
    /// A PostgreSQL schema of the run's own for <paramref name="kind"/> (e.g. <c>hangfire</c>, <c>drift</c>), so that runs share
    /// no jobs or rows; dropped when the rig is disposed.
    /// </summary>
    public string Schema(string kind)
    {
        var schema = $"{kind}_{Database}";
        lock (_schemas)
        {
            _schemas.Add(schema);
        }

        return schema;
    }

    /// <summary>
    /// Per partition, the end of what the archivers committed of <paramref name="source"/> on the s3 storage kind: the rows
    /// of <c>master_commits</c> in the database (and search path) of <paramref name="postgres"/>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, long>> MasterCommitEndsAsync(string postgres, string source)
    {
        var ends = new Dictionary<int, long>();
        await using var connection = new Npgsql.NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT partition, max(last_offset) + 1 FROM master_commits WHERE source = @source AND superseded_at IS NULL GROUP BY partition", connection);
        command.Parameters.AddWithValue("source", source);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ends[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            // No archiver has committed yet: the first commit creates the table.
        }

        return ends;
    }

    /// <summary>
    /// Creates the run's PostgreSQL schema for <paramref name="kind"/> (see <see cref="Schema"/>) and returns its name: for a
    /// search path, whose tables the services create but whose schema must exist.
    /// </summary>
    public async Task<string> CreateSchemaAsync(string kind)
    {
        var schema = Schema(kind);
        await using var postgres = Npgsql.NpgsqlDataSource.Create(Stack.PostgresConnectionString);
        await using var create = postgres.CreateCommand($"CREATE SCHEMA \"{schema}\"");
        await create.ExecuteNonQueryAsync();
        return schema;
    }

    /// <summary>The run's alert leader lock key (a run's serving instances elect their leader among themselves).</summary>
    public long AlertLockKey { get; }

    /// <summary>The topic of the run's first source (<c>orders</c> unless told otherwise).</summary>
    public string Topic { get; private set; } = "";

    /// <summary>The run's topic of each source, by source name.</summary>
    public IReadOnlyDictionary<string, string> Topics => _topics;

    /// <summary>The services started so far.</summary>
    public IReadOnlyList<ServiceProcess> Services => _services;

    /// <summary>
    /// Creates a topic of <paramref name="partitions"/> partitions and writes the catalog <paramref name="catalogOf"/> gives
    /// for its name.
    /// </summary>
    public static Task<PlatformRig> CreateAsync(string name, int partitions, Func<string, string> catalogOf, TimeSpan httpTimeout) =>
        CreateAsync(name, partitions, ["orders"], topics => catalogOf(topics["orders"]), httpTimeout);

    /// <summary>
    /// Creates a topic of <paramref name="partitions"/> partitions per source of <paramref name="sources"/> (the first one is
    /// <see cref="Topic"/>) and writes the catalog <paramref name="catalogOf"/> gives for their names (by source).
    /// </summary>
    public static async Task<PlatformRig> CreateAsync(
        string name, int partitions, IReadOnlyList<string> sources, Func<IReadOnlyDictionary<string, string>, string> catalogOf, TimeSpan httpTimeout)
    {
        var rig = new PlatformRig(name, StackEndpoints.Load(), httpTimeout);
        Directory.CreateDirectory(rig.Root);
        foreach (var source in sources)
        {
            rig._topics[source] = (await DevBrokerAdmin.CreateUniqueTopicAsync($"{name}-{source}", partitions, CancellationToken.None)).Name;
        }

        rig.Topic = rig._topics[sources[0]];
        await File.WriteAllTextAsync(rig.CatalogPath, catalogOf(rig._topics));
        return rig;
    }

    /// <summary>A catalog of one <c>orders</c> source on <paramref name="topic"/> and its <c>revenue_by_country</c> view (count and sum of paid orders).</summary>
    public static string RevenueByCountryCatalog(string topic) => $$"""
        sources:
          orders:
            topic: {{topic}}
            time: ts
            key: user_id
            fields: { order_id: string, user_id: string, country: string, amount: "decimal(18,2)", status: string }
        views:
          revenue_by_country:
            source: orders
            where: status = 'paid'
            granularity: minute
            dimensions: [country]
            measures: { orders: count, revenue: sum(amount) }
        """;

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails naming <paramref name="what"/> (and <paramref name="detail"/>) after <paramref name="timeout"/>.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan timeout, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}\n{detail?.Invoke()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Per partition, the exclusive end of what the archiver committed of <paramref name="source"/> (commit log
    /// <c>p&lt;p&gt;-&lt;first&gt;-&lt;last&gt;.json</c>) under <paramref name="datasetRoot"/> (default: the run's <see cref="Root"/>).
    /// </summary>
    public Dictionary<int, long> ArchivedEnds(string source = "orders", string? datasetRoot = null)
    {
        var ends = new Dictionary<int, long>();
        var commits = Path.Combine(datasetRoot ?? Root, "master", source, "_commits");
        if (!Directory.Exists(commits))
        {
            return ends;
        }

        foreach (var file in Directory.EnumerateFiles(commits, "p*.json"))
        {
            var parts = Path.GetFileNameWithoutExtension(file)[1..].Split('-');
            var partition = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            var last = long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            ends[partition] = Math.Max(ends.GetValueOrDefault(partition), last + 1);
        }

        return ends;
    }

    /// <summary>What every service of the run is started with (Production, the stack's addresses, the run's own names).</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Kafka__BootstrapServers"] = Stack.KafkaBootstrap,
        ["ClickHouse__Url"] = Stack.ClickHouseUrl.AbsoluteUri,
        ["ClickHouse__Database"] = Database,
        ["ConnectionStrings__Postgres"] = Stack.PostgresConnectionString,
        ["Catalog__Path"] = CatalogPath,
        ["Batch__DatasetRoot"] = Root,
        ["Batch__Load__Enabled"] = "false",
        ["Serving__Alerts__Schema"] = AlertSchema,
        ["Serving__Alerts__LeaderLockKey"] = AlertLockKey.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Produces <paramref name="events"/> to the run's topic of <paramref name="source"/> (null: <see cref="Topic"/>), event i
    /// to partition i % <paramref name="partitions"/>; returns per partition the end offset the broker acknowledged (what the
    /// services must have consumed).
    /// </summary>
    public async Task<long[]> ProduceAsync(int partitions, IReadOnlyList<byte[]> events, string? source = null)
    {
        var topic = source is null ? Topic : _topics[source];
        var produced = new long[partitions];
        var config = new Confluent.Kafka.ProducerConfig { BootstrapServers = Stack.KafkaBootstrap, LingerMs = 20, Acks = Confluent.Kafka.Acks.All, EnableIdempotence = false };
        using var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, byte[]>(config).Build();
        var errors = 0;
        for (var i = 0; i < events.Count; i++)
        {
            producer.Produce(new Confluent.Kafka.TopicPartition(topic, i % partitions), new Confluent.Kafka.Message<Confluent.Kafka.Null, byte[]> { Value = events[i] }, report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref errors);
                    return;
                }

                lock (produced)
                {
                    produced[report.Partition.Value] = Math.Max(produced[report.Partition.Value], report.Offset.Value + 1);
                }
            });
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, errors);
        return produced;
    }

    /// <summary>
    /// Polls until every view's speed table and the archive hold every produced offset of its source
    /// (<paramref name="producedBySource"/>: per source, per partition the end offset the broker acknowledged);
    /// <paramref name="archivedEnds"/> reads the archive's committed ends of a source (e.g. <see cref="ArchivedEnds"/>).
    /// Fails with the services' output after <paramref name="timeout"/>, or at once when a service exited.
    /// </summary>
    public async Task WaitForConvergenceAsync(
        IReadOnlyList<ViewDefinition> views,
        IReadOnlyDictionary<string, long[]> producedBySource,
        Func<string, Task<IReadOnlyDictionary<int, long>>> archivedEnds,
        string stage,
        TimeSpan timeout,
        Action<string> log)
    {
        var clickHouse = new ClickHouseClient(Http, new ClickHouseOptions { Url = Stack.ClickHouseUrl, Database = Database });
        var started = System.Diagnostics.Stopwatch.StartNew();
        var status = "";
        while (started.Elapsed < timeout)
        {
            foreach (var service in _services)
            {
                service.EnsureRunning();
            }

            var behind = new List<string>();
            foreach (var view in views)
            {
                var produced = producedBySource[view.Source.Name];
                var max = await SpeedTableQueries.ReadMaxOffsetsAsync(clickHouse, SpeedTableSchema.For(view), null, CancellationToken.None);
                var lagging = Enumerable.Range(0, produced.Length).Count(p => produced[p] > 0 && max.GetValueOrDefault(p, -1) + 1 < produced[p]);
                if (lagging > 0)
                {
                    behind.Add($"speed {view.Name}: {lagging} partitions behind");
                }
            }

            foreach (var (source, produced) in producedBySource)
            {
                var archived = await archivedEnds(source);
                var archiveLagging = Enumerable.Range(0, produced.Length).Count(p => produced[p] > 0 && archived.GetValueOrDefault(p) < produced[p]);
                if (archiveLagging > 0)
                {
                    behind.Add($"archive {source}: {archiveLagging} partitions behind");
                }
            }

            if (behind.Count == 0)
            {
                log($"{stage}: converged after {started.Elapsed.TotalSeconds:F1} s");
                return;
            }

            status = string.Join("; ", behind);
            await Task.Delay(250);
        }

        throw new TimeoutException($"{stage}: not converged within {timeout}: {status}{System.Environment.NewLine}{Tails()}");
    }

    /// <summary>Polls <c>/healthz</c> of <paramref name="service"/> until it answers with success; fails at once when a service of the run exited.</summary>
    public async Task WaitForHealthAsync(HttpClient service)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            foreach (var running in _services)
            {
                running.EnsureRunning();
            }

            try
            {
                using var response = await service.GetAsync("healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (started.Elapsed < TimeSpan.FromSeconds(30))
            {
                // Kestrel is not listening yet.
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The last lines every service of the run wrote, for failure messages.</summary>
    public string Tails() =>
        string.Join(System.Environment.NewLine, _services.Select(s => $"--- {s.Name}:{System.Environment.NewLine}{s.Tail}"));

    /// <summary>
    /// Publishes <paramref name="body"/> (<paramref name="mediaType"/> <c>text/csv</c> or <c>application/json</c>) as the next
    /// version of lookup <paramref name="name"/> through <c>PUT /api/admin/lookups/{name}</c> of <paramref name="serving"/>
    /// (which carries an admin key), as a user would; returns the version the platform answered.
    /// </summary>
    public static async Task<long> PublishLookupAsync(HttpClient serving, string name, string mediaType, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, mediaType);
        using var response = await serving.PutAsync($"api/admin/lookups/{Uri.EscapeDataString(name)}", content);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"publishing lookup {name} answered {(int)response.StatusCode}: {answer}");
        using var json = System.Text.Json.JsonDocument.Parse(answer);
        return json.RootElement.GetProperty("version").GetInt64();
    }

    /// <summary>
    /// Starts the serving layer on <paramref name="port"/> with the run's environment, one API key per entry of
    /// <paramref name="keys"/> (key → scopes) and <paramref name="settings"/> on top.
    /// </summary>
    public ServiceProcess StartServing(int port, IReadOnlyDictionary<string, string[]> keys, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(Environment()) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" };
        var index = 0;
        foreach (var (key, scopes) in keys)
        {
            environment[$"Serving__ApiKeys__{index}__Key"] = key;
            for (var s = 0; s < scopes.Length; s++)
            {
                environment[$"Serving__ApiKeys__{index}__Scopes__{s}"] = scopes[s];
            }

            index++;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return Start("serving-layer", "Lambda.ServingLayer", [], environment);
    }

    /// <summary>
    /// Starts a batch worker: the batch layer's server (<c>serve</c>) on a free port with <paramref name="environment"/>, its
    /// Hangfire server taking recompute jobs and chunks, nothing else (no archiver, no recurring jobs, no backfill of new
    /// views) and the Hangfire queue and schedule polled every second.
    /// </summary>
    public ServiceProcess StartBatchWorker(IReadOnlyDictionary<string, string> environment) =>
        Start("batch-layer", "Lambda.BatchLayer", ["serve"], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Batch__Archiver__Enabled"] = "false",
            ["Batch__Schedule__RecurringJobEnabled"] = "false",
            ["Batch__Schedule__BackfillNewViews"] = "false",
            ["Batch__Compaction__RecurringJobEnabled"] = "false",
            ["Batch__Schedule__SchedulePollingInterval"] = "00:00:01",
            ["Batch__Schedule__QueuePollInterval"] = "00:00:01",
            ["Batch__Dashboard__ApiKeys__0"] = "worker-dashboard-key",
        });

    /// <summary>Starts the built service in <paramref name="directory"/>; it is stopped when the rig is disposed.</summary>
    public ServiceProcess Start(string directory, string assembly, string[] arguments, Dictionary<string, string> environment)
    {
        var service = ServiceProcess.Start(Path.Combine(RepositoryPaths.Root, directory), assembly, arguments, environment);
        _services.Add(service);
        return service;
    }

    /// <summary>Starts another program (see <see cref="ServiceProcess.StartProgram"/>); it is stopped when the rig is disposed.</summary>
    public ServiceProcess StartProgram(string name, string fileName, string workingDirectory, string[] arguments, Dictionary<string, string> environment)
    {
        var service = ServiceProcess.StartProgram(name, fileName, workingDirectory, arguments, environment);
        _services.Add(service);
        return service;
    }

    /// <summary>Kills <paramref name="service"/> and its process tree at once (SIGKILL), as a crash would.</summary>
    public void Kill(ServiceProcess service)
    {
        service.Dispose();
        _services.Remove(service);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            service.Dispose();
        }

        foreach (var topic in _topics.Values)
        {
            await DevBrokerAdmin.DeleteTopicAsync(topic, CancellationToken.None);
        }

        await using (var postgres = Npgsql.NpgsqlDataSource.Create(Stack.PostgresConnectionString))
        {
            foreach (var schema in _schemas)
            {
                await using var drop = postgres.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                await drop.ExecuteNonQueryAsync();
            }
        }

        var system = new ClickHouseClient(Http, new ClickHouseOptions { Url = Stack.ClickHouseUrl, Database = "system" });
        await system.ExecuteAsync($"DROP DATABASE IF EXISTS {ClickHouseSql.QuoteIdentifier(Database)}", CancellationToken.None);
        Http.Dispose();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
