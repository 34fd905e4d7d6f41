using System.Diagnostics;

namespace Lambda.IntegrationTests.DevBroker;

/// <summary>Sends SIGTERM, which <see cref="Process"/> cannot (its Kill is SIGKILL), through kill(1).</summary>
internal static class PosixSignal
{
    public static async Task TerminateAsync(int pid, CancellationToken cancellationToken)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            ?? throw new InvalidOperationException("could not start kill(1)");
        await kill.WaitForExitAsync(cancellationToken);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {pid} exited with {kill.ExitCode}");
        }
    }
}
