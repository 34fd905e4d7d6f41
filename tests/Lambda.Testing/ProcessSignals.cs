using System.Diagnostics;
using System.Globalization;

namespace Lambda.Testing;

/// <summary>Sends POSIX signals to child processes through kill(1), as an operator or the kernel would.</summary>
public static class ProcessSignals
{
    /// <summary>Sends <paramref name="signal"/> (kill(1) name: TERM, STOP, CONT) to process <paramref name="processId"/>.</summary>
    public static async Task SendAsync(int processId, string signal, CancellationToken cancellationToken = default)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, processId.ToString(CultureInfo.InvariantCulture)]))
            ?? throw new InvalidOperationException("could not start kill(1)");
        await kill.WaitForExitAsync(cancellationToken);
    }
}
