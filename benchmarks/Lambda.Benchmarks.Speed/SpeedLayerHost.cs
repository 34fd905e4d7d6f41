using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lambda.Testing;

namespace Lambda.Benchmarks.Speed;

/// <summary>The speed-layer executable (built with the benchmark's configuration) as a child process.</summary>
internal sealed class SpeedLayerHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string _logPath;
    private readonly StreamWriter _log;

    private SpeedLayerHost(Process process, Uri baseUrl, string logPath, StreamWriter log)
    {
        _process = process;
        BaseUrl = baseUrl;
        _logPath = logPath;
        _log = log;
    }

    public Uri BaseUrl { get; }

    public string LogPath => _logPath;

    /// <summary>CPU time the speed-layer process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static SpeedLayerHost Start(IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var directory = Path.Combine(RepositoryPaths.Root, "speed-layer", "bin", configuration, "net10.0");
        var dll = Path.Combine(directory, "Lambda.SpeedLayer.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist; build the speed layer with -c {configuration}");
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SpeedLayerHost(process, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), logPath, log);
    }

    /// <summary>Waits until the speed layer is ready and owns <paramref name="partitions"/> partitions.</summary>
    public async Task WaitUntilConsumingAsync(int partitions, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the speed layer exited with {_process.ExitCode}; see {_logPath}");
            }

            try
            {
                // The OpenTelemetry exporter labels every sample (otel_scope_name, ...): sum them rather than match one bare line.
                var metrics = await _http.GetStringAsync(new Uri(BaseUrl, "metrics"), cts.Token);
                if (PrometheusText.Sum(metrics, "lambda_speed_assigned_partitions") >= partitions)
                {
                    return;
                }
            }
            catch (HttpRequestException ex) when (!cts.IsCancellationRequested)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"the speed layer exited with {_process.ExitCode}; see {_logPath}", ex);
                }
            }

            await Task.Delay(200, cts.Token);
        }
    }

    /// <summary>SIGTERM and wait for the graceful shutdown; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]));
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _http.Dispose();
        await _log.DisposeAsync();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }
}
