using Lambda.Testing;
using System.Globalization;
using Lambda.BatchLayer.Archive;
using Lambda.BatchLayer.Dataset;
using Lambda.BatchLayer.Tests.Dataset;

namespace Lambda.BatchLayer.Tests.Archive;

/// <summary>
/// The test assembly's entry point, used only when a test starts the assembly as a child process:
/// <c>dotnet Lambda.BatchLayer.Tests.dll archive --Key=Value ...</c> runs <see cref="ArchiverProgram"/>, exactly
/// what <c>Lambda.BatchLayer archive</c> runs, so that tests can SIGKILL a real archiver process;
/// <c>dotnet Lambda.BatchLayer.Tests.dll compact ROOT MAX_EVENTS</c> compacts the orders source of the dataset
/// at ROOT (every commit, flushed to disk) so that tests can SIGKILL a real compaction.
/// </summary>
public static class ArchiverChildProcess
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["compact", var root, var maxEvents])
        {
            var compactor = new MasterDatasetCompactor(root, TestCatalogs.Default.GetSource("orders"), flushToDisk: true);
            Console.WriteLine("compaction started");
            var result = await compactor.CompactAsync(TimeSpan.Zero, long.Parse(maxEvents, CultureInfo.InvariantCulture), CancellationToken.None);
            Console.WriteLine($"compaction done: {result}");
            return 0;
        }

        if (args.Length == 0 || args[0] != "archive")
        {
            await Console.Error.WriteLineAsync("usage: Lambda.BatchLayer.Tests archive [--Key=Value ...] | compact ROOT MAX_EVENTS");
            return 2;
        }

        return await ArchiverProgram.RunAsync(args[1..]);
    }
}
