using System.Diagnostics;
using System.Text;
using Lambda.Testing;

namespace Lambda.IntegrationTests.DevBroker;

/// <summary>
/// A development broker of a test's own (not the stack's instance): the built <c>Lambda.DevBroker</c> in a child process
/// with its own address files, its output kept for failure messages. Killed on dispose if still running.
/// </summary>
internal sealed class DevBrokerProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    private DevBrokerProcess(Process process, string bootstrapFile, string controlUrlFile)
    {
        Process = process;
        BootstrapFile = bootstrapFile;
        ControlUrlFile = controlUrlFile;
    }

    public Process Process { get; }

    public string BootstrapFile { get; }

    public string ControlUrlFile { get; }

    /// <summary>What the broker wrote so far (standard output and error).</summary>
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

    /// <summary>
    /// Starts a broker that writes its addresses under <paramref name="directory"/>; <paramref name="settings"/> are more
    /// environment variables (e.g. <c>DevBroker__Topics__0__Name</c>).
    /// </summary>
    public static DevBrokerProcess Start(string directory, IReadOnlyDictionary<string, string>? settings = null)
    {
        // Same configuration as this test assembly (bin/<configuration>/<tfm>/), built with the solution.
        var tfmDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var brokerDirectory = Path.Combine(RepositoryPaths.Root, "dev-broker", "bin", tfmDirectory.Parent!.Name, tfmDirectory.Name);
        var dll = Path.Combine(brokerDirectory, "Lambda.DevBroker.dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist: build the solution first");

        var bootstrapFile = Path.Combine(directory, "kafka", "bootstrap");
        var controlUrlFile = Path.Combine(directory, "kafka", "admin-url");
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
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var broker = new DevBrokerProcess(new Process { StartInfo = start }, bootstrapFile, controlUrlFile);
        broker.Process.OutputDataReceived += (_, e) => broker.Append(e.Data);
        broker.Process.ErrorDataReceived += (_, e) => broker.Append(e.Data);
        broker.Process.Start();
        broker.Process.BeginOutputReadLine();
        broker.Process.BeginErrorReadLine();
        return broker;
    }

    /// <summary>Waits until the broker published both addresses; returns the bootstrap address.</summary>
    public async Task<string> WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        while (!File.Exists(BootstrapFile) || !File.Exists(ControlUrlFile))
        {
            Assert.False(Process.HasExited, $"the dev broker exited early: {Output}");
            await Task.Delay(100, cancellationToken);
        }

        return (await File.ReadAllTextAsync(BootstrapFile, cancellationToken)).Trim();
    }

    /// <summary>SIGTERM, then waits for the exit.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await PosixSignal.TerminateAsync(Process.Id, cancellationToken);
        await Process.WaitForExitAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
