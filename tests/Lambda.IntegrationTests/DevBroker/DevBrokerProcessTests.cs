using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Lambda.Testing;

namespace Lambda.IntegrationTests.DevBroker;

/// <summary>
/// The development broker as a process of its own (not the stack's instance): it creates the
/// configured topics, publishes its addresses, serves Kafka, and on SIGTERM withdraws them and exits 0.
/// </summary>
public sealed class DevBrokerProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lambda-dev-broker-").FullName;

    [Fact]
    public async Task Starts_with_the_configured_topics_publishes_its_address_and_stops_cleanly_on_SIGTERM()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var bootstrapFile = Path.Combine(_directory, "kafka", "bootstrap");
        var controlUrlFile = Path.Combine(_directory, "kafka", "admin-url");
        var output = new StringBuilder();

        using var broker = StartBroker(bootstrapFile, controlUrlFile, output);
        try
        {
            while (!File.Exists(bootstrapFile) || !File.Exists(controlUrlFile))
            {
                Assert.False(broker.HasExited, $"the dev broker exited early: {Snapshot(output)}");
                await Task.Delay(100, cts.Token);
            }

            var bootstrap = (await File.ReadAllTextAsync(bootstrapFile, cts.Token)).Trim();
            Assert.Matches(@"^127\.0\.0\.1:\d+$", bootstrap);
            using (var http = new HttpClient())
            {
                var health = await http.GetStringAsync(new Uri((await File.ReadAllTextAsync(controlUrlFile, cts.Token)).Trim() + "/healthz"), cts.Token);
                Assert.Contains(bootstrap, health, StringComparison.Ordinal);
            }

            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                var topics = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
                Assert.Equal(ConfiguredTopics(), topics);
                Assert.Equal(32, topics["orders"]);
                Assert.Equal(4, topics["orders.dlq"]);
            }

            using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
            {
                var delivery = await producer.ProduceAsync("payments", new Message<Null, string> { Value = "one" }, cts.Token);
                Assert.Equal(PersistenceStatus.Persisted, delivery.Status);
            }

            Assert.Contains($"Dev broker ready: bootstrap {bootstrap}", Snapshot(output), StringComparison.Ordinal);
        }
        finally
        {
            await PosixSignal.TerminateAsync(broker.Id, cts.Token);
            await broker.WaitForExitAsync(cts.Token);
        }

        Assert.Equal(0, broker.ExitCode);
        Assert.False(File.Exists(bootstrapFile), "the bootstrap file outlived the broker");
        Assert.False(File.Exists(controlUrlFile), "the control URL file outlived the broker");
        Assert.Contains("Dev broker stopping", Snapshot(output), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Process StartBroker(string bootstrapFile, string controlUrlFile, StringBuilder output)
    {
        // Same configuration as this test assembly (bin/<configuration>/<tfm>/), built with the solution.
        var tfmDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var brokerDirectory = Path.Combine(RepositoryPaths.Root, "dev-broker", "bin", tfmDirectory.Parent!.Name, tfmDirectory.Name);
        var dll = Path.Combine(brokerDirectory, "Lambda.DevBroker.dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist: build the solution first");

        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = brokerDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["DevBroker__BootstrapFile"] = bootstrapFile,
                ["DevBroker__ControlUrlFile"] = controlUrlFile,
            },
        };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static Dictionary<string, int> ConfiguredTopics()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "dev-broker", "appsettings.json")));
        return settings.RootElement.GetProperty("DevBroker").GetProperty("Topics").EnumerateArray()
            .ToDictionary(t => t.GetProperty("Name").GetString()!, t => t.GetProperty("Partitions").GetInt32(), StringComparer.Ordinal);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
