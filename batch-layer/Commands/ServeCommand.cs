using System.CommandLine;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>serve</c> (also the default without a command): runs the batch-layer service. Tokens the
/// command line does not know are passed to the host as arguments, e.g. <c>--urls http://127.0.0.1:9000</c>
/// or <c>--Batch:Schedule:Cron "0 3 * * *"</c>.
/// </summary>
public static class ServeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var command = new Command("serve", "Run the batch-layer service: Hangfire server, nightly recompute, dashboard (/hangfire), /healthz.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(environment, [.. parse.UnmatchedTokens], cancellationToken));
        return command;
    }

    /// <summary>Runs the service until the process is asked to stop.</summary>
    public static async Task<int> RunAsync(BatchCommandEnvironment environment, string[] hostArgs, CancellationToken cancellationToken)
    {
        await using var app = BatchHosts.CreateServer(hostArgs, environment);
        await app.RunAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
