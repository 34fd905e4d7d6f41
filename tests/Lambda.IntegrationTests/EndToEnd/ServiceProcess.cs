using System.Diagnostics;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// A built service (<c>dotnet &lt;project&gt;/bin/&lt;configuration&gt;/net10.0/&lt;assembly&gt;.dll</c>) run as a child process with
/// its configuration in environment variables, as in production. Keeps the last output lines for failure messages;
/// killed (with its process tree) on dispose.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private const int KeptLines = 60;
    private const int SearchableLines = 20_000;
    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly Queue<string> _searchable = new();
    private bool _disposed;

    private ServiceProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id (a service names itself by host and this id, e.g. as a recompute worker).</summary>
    public int Id => _process.Id;

    /// <summary>The last lines the process wrote (standard output and error).</summary>
    public string Tail
    {
        get
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

    /// <summary>True when one of the last 20,000 lines the process wrote contains <paramref name="fragment"/> (a log line a test waits for).</summary>
    public bool HasWritten(string fragment)
    {
        lock (_lines)
        {
            return _searchable.Any(line => line.Contains(fragment, StringComparison.Ordinal));
        }
    }

    /// <summary>The last of the last 20,000 lines the process wrote that contains <paramref name="fragment"/>; null when none does.</summary>
    public string? LastWritten(string fragment)
    {
        lock (_lines)
        {
            return _searchable.LastOrDefault(line => line.Contains(fragment, StringComparison.Ordinal));
        }
    }

    /// <summary>Starts <paramref name="assembly"/> of the project directory <paramref name="projectDirectory"/> (working directory = the project's).</summary>
    public static ServiceProcess Start(string projectDirectory, string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(projectDirectory, "bin", configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"'{dll}' is not built; the test project references it, so building the tests builds it.");
        }

        return StartProgram(assembly, "dotnet", projectDirectory, [dll, .. arguments], environment);
    }

    /// <summary>
    /// Starts another program (e.g. <c>node</c> for the S3-protocol server) in <paramref name="workingDirectory"/>, named
    /// <paramref name="name"/> in failure messages.
    /// </summary>
    public static ServiceProcess StartProgram(
        string name, string fileName, string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, name);
        process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Runs a one-shot command to its end; throws with its output when it fails.</summary>
    public static async Task RunToEndAsync(
        string projectDirectory, string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        using var service = Start(projectDirectory, assembly, arguments, environment);
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await service._process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{assembly} {string.Join(' ', arguments)} did not finish within {timeout}:{Environment.NewLine}{service.Tail}");
        }

        if (service._process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{assembly} {string.Join(' ', arguments)} exited with {service._process.ExitCode}:{Environment.NewLine}{service.Tail}");
        }
    }

    /// <summary>Throws with the process's output when it has exited (a service must keep running).</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:{Environment.NewLine}{Tail}");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }

            _searchable.Enqueue(line);
            while (_searchable.Count > SearchableLines)
            {
                _searchable.Dequeue();
            }
        }
    }
}
