using System.CommandLine;
using Lambda.BatchLayer.Archive;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>archive</c>: runs only the archiver (Kafka → master dataset) until SIGTERM/Ctrl+C, without the
/// web server or the scheduler, e.g. to scale archiving out separately. Unknown tokens are passed on
/// as configuration (<c>--Batch:DatasetRoot=...</c>, <c>--Kafka:BootstrapServers=...</c>).
/// </summary>
public static class ArchiveCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("archive", "Run only the archiver: every valid event of every source into the Parquet master dataset, exactly once.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, cancellationToken) => ArchiverProgram.RunAsync([.. parse.UnmatchedTokens], cancellationToken));
        return command;
    }
}
