using System.Diagnostics;
using System.Text;
using Lambda.Testing;

namespace Lambda.BatchLayer.Tests.Archive;

/// <summary>An archiver running as a separate process (this test assembly's <see cref="ArchiverChildProcess"/>), with its output captured.</summary>
internal sealed class ArchiverProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _gate = new();

    private ArchiverProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static ArchiverProcess Start(IReadOnlyDictionary<string, string> settings) =>
        StartChild(["archive", .. settings.Select(s => $"--{s.Key}={s.Value}")]);

    /// <summary>Starts <see cref="ArchiverChildProcess"/> with <paramref name="args"/> (its first argument picks what it runs).</summary>
    public static ArchiverProcess StartChild(IReadOnlyList<string> args)
    {
        var assembly = typeof(ArchiverChildProcess).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return new ArchiverProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the archiver process"));
    }

    /// <summary>Waits until the output contains <paramref name="text"/> (or the process exits).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the child process exited with {_process.ExitCode} before printing '{text}':\n{Output}");
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"the archiver did not print '{text}' within {timeout}:\n{Output}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Waits for the process to exit by itself.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGKILL: no flush, no goodbye to the consumer group.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the process to stop by itself.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        await ProcessSignals.SendAsync(_process.Id, "TERM", cancellationToken);
        await _process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Sends <paramref name="signal"/> (kill(1) name: STOP freezes the whole process, heartbeats included; CONT wakes it).</summary>
    public Task SignalAsync(string signal, CancellationToken cancellationToken) => ProcessSignals.SendAsync(_process.Id, signal, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }
}
