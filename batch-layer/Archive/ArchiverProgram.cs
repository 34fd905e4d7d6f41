using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// The <c>archive</c> command: runs only the archiver (no web server, no scheduler) until SIGTERM/Ctrl+C.
/// The batch layer's entry point dispatches <c>Lambda.BatchLayer archive [--Key=Value ...]</c> here.
/// Configuration: appsettings.json next to the executable, environment variables, then the command-line
/// arguments (<c>--Batch:DatasetRoot=...</c>, <c>--Kafka:BootstrapServers=...</c>, <c>--Catalog:Path=...</c>,
/// <c>--Batch:Archiver:MaxBatchEvents=...</c>); <c>Batch:Archiver:Enabled</c> is forced on.
/// </summary>
public static class ArchiverProgram
{
    /// <summary>Runs the archiver; returns the process exit code (0 after a clean stop, 1 after a failure).</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection([new($"{ArchiverOptions.SectionName}:{nameof(ArchiverOptions.Enabled)}", "true")]);
        builder.Services.AddLambdaArchiver(builder.Configuration);
        using var host = builder.Build();
        var archiver = host.Services.GetRequiredService<ArchiverService>();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return archiver.Failure is null ? 0 : 1;
    }
}
