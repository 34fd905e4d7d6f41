using Lambda.Testing;
using System.Diagnostics;
using System.Globalization;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// A ClickHouse server of the test's own (own config, data directory and ports), so the test can stop and
/// start it without touching the shared stack's server.
/// </summary>
internal sealed class PrivateClickHouseServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly int _httpPort;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _console = new();
    private Process? _process;

    private PrivateClickHouseServer(string directory, int httpPort)
    {
        _directory = directory;
        _httpPort = httpPort;
    }

    public Uri Url => new($"http://127.0.0.1:{_httpPort.ToString(CultureInfo.InvariantCulture)}/");

    public static async Task<PrivateClickHouseServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("lambda-clickhouse-").FullName;
        var server = new PrivateClickHouseServer(directory, FreePort.Next());
        server.WriteConfig(FreePort.Next());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same data directory and ports; waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        var binary = new[] { "/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("clickhouse-server is not installed");
        var info = new ProcessStartInfo(binary, [$"--config-file={Path.Combine(_directory, "config.xml")}"])
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("clickhouse-server did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"clickhouse-server exited with {(_process.HasExited ? _process.ExitCode : 0)}: {string.Join('\n', _console)}");
            try
            {
                if ((await _http.GetStringAsync(new Uri(Url, "ping"))).StartsWith("Ok", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                lastError = ex;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"clickhouse-server on {Url} did not answer within 60 s: {lastError?.Message}");
    }

    /// <summary>SIGKILL: the server dies at once, in the middle of whatever it does.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Keeps the last lines the server printed (it logs to its own files), for failure messages.</summary>
    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _console.Enqueue(line);
        while (_console.Count > 50)
        {
            _console.TryDequeue(out _);
        }
    }

    private void WriteConfig(int tcpPort)
    {
        foreach (var sub in new[] { "data", "tmp", "log", "user_files", "format_schemas" })
        {
            Directory.CreateDirectory(Path.Combine(_directory, sub));
        }

        File.WriteAllText(Path.Combine(_directory, "config.xml"), $"""
            <?xml version="1.0"?>
            <yandex>
                <logger><level>warning</level><log>{_directory}/log/server.log</log><errorlog>{_directory}/log/error.log</errorlog><size>10M</size><count>2</count></logger>
                <listen_host>127.0.0.1</listen_host>
                <http_port>{_httpPort}</http_port>
                <tcp_port>{tcpPort}</tcp_port>
                <max_connections>256</max_connections>
                <keep_alive_timeout>3</keep_alive_timeout>
                <max_concurrent_queries>50</max_concurrent_queries>
                <uncompressed_cache_size>67108864</uncompressed_cache_size>
                <mark_cache_size>67108864</mark_cache_size>
                <path>{_directory}/data/</path>
                <tmp_path>{_directory}/tmp/</tmp_path>
                <user_files_path>{_directory}/user_files/</user_files_path>
                <format_schema_path>{_directory}/format_schemas/</format_schema_path>
                <users_config>{_directory}/users.xml</users_config>
                <default_profile>default</default_profile>
                <default_database>default</default_database>
                <timezone>UTC</timezone>
                <mlock_executable>false</mlock_executable>
            </yandex>
            """);
        File.WriteAllText(Path.Combine(_directory, "users.xml"), """
            <?xml version="1.0"?>
            <yandex>
                <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
                <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
                <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
            </yandex>
            """);
    }
}
