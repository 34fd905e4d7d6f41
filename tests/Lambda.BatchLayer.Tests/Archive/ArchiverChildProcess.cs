using Lambda.BatchLayer.Archive;

namespace Lambda.BatchLayer.Tests.Archive;

/// <summary>
/// The test assembly's entry point, used only when a test starts the assembly as a child process:
/// <c>dotnet Lambda.BatchLayer.Tests.dll archive --Key=Value ...</c> runs <see cref="ArchiverProgram"/>, exactly
/// what <c>Lambda.BatchLayer archive</c> runs, so that tests can SIGKILL a real archiver process.
/// </summary>
public static class ArchiverChildProcess
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != "archive")
        {
            await Console.Error.WriteLineAsync("usage: Lambda.BatchLayer.Tests archive [--Key=Value ...]");
            return 2;
        }

        return await ArchiverProgram.RunAsync(args[1..]);
    }
}
