using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lambda.Testing;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// The real speed-layer executable (the speed-layer project's build output) as a child process,
/// configured through environment variables the way a deployment configures it.
/// </summary>
internal sealed class SpeedLayerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private SpeedLayerProcess(Process process, Uri baseUrl, string name)
    {
        _process = process;
        BaseUrl = baseUrl;
        Name = name;
    }

    public Uri BaseUrl { get; }

    /// <summary>The last failed attempt to reach the process's HTTP endpoints (while it was starting).</summary>
    public Exception? LastError { get; private set; }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The directory holding Lambda.SpeedLayer.dll, built with the same configuration as the tests.</summary>
    public static string BuildDirectory
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                ? "Release"
                : "Debug";
            return Path.Combine(RepositoryPaths.Root, "speed-layer", "bin", configuration, "net10.0");
        }
    }

    /// <summary>Starts the speed layer with <paramref name="environment"/> added to a minimal environment.</summary>
    public static SpeedLayerProcess Start(string name, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(BuildDirectory, "Lambda.SpeedLayer.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist: build speed-layer/Lambda.SpeedLayer.csproj first");
        }

        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = BuildDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var instance = new SpeedLayerProcess(process, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), name);
        process.OutputDataReceived += (_, e) => instance.Append(e.Data);
        process.ErrorDataReceived += (_, e) => instance.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return instance;
    }

    /// <summary>Waits until /readyz answers 200 (speed tables created, consumer running, ClickHouse reachable).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Assert.False(_process.HasExited, $"{Name} exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Tail()}");
            try
            {
                using var response = await _http.GetAsync(new Uri(BaseUrl, "readyz"), cts.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cts.IsCancellationRequested))
            {
                LastError = ex;
            }

            await Task.Delay(100, cts.Token);
        }
    }

    /// <summary>Waits until the group has assigned this instance at least one partition (it is then consuming).</summary>
    public async Task WaitUntilAssignedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Assert.False(_process.HasExited, $"{Name} exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Tail()}");
            try
            {
                if (await MetricAsync("lambda_speed_assigned_partitions") > 0)
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                LastError = ex;
            }

            await Task.Delay(100, cts.Token);
        }
    }

    public async Task<string> GetAsync(string path) => await _http.GetStringAsync(new Uri(BaseUrl, path));

    public async Task<System.Net.HttpStatusCode> StatusAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(BaseUrl, path));
        return response.StatusCode;
    }

    /// <summary>The value of a metric sample (sum over its label sets matching <paramref name="labelFilter"/>).</summary>
    public async Task<double> MetricAsync(string name, string labelFilter = "")
    {
        var text = await GetAsync("metrics");
        return PrometheusText.Sum(text, name, labelFilter);
    }

    /// <summary>SIGKILL: no flush, no commit, no leaving the group.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the graceful shutdown (flush, then commit).</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        await SignalAsync("TERM");

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/> (kill(1) name: TERM, STOP, CONT) to the process if it still runs.</summary>
    public async Task SignalAsync(string signal)
    {
        if (!_process.HasExited)
        {
            await ProcessSignals.SendAsync(_process.Id, signal);
        }
    }

    public string Tail(int lines = 60)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        _http.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
