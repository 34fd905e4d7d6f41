using Lambda.DevBroker.Native;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Lambda.DevBroker.Hosting;

/// <summary>
/// Tells other processes where the broker listens: once everything is up it writes the bootstrap
/// address and the control API URL to their files (atomically, so a reader never sees half a line),
/// and removes them when the broker stops, so a stale address is never found.
/// </summary>
internal sealed class StateFilePublisher(
    MockKafkaCluster cluster,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<DevBrokerOptions> options,
    ILogger<StateFilePublisher> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Publish);
        lifetime.ApplicationStopping.Register(Withdraw);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Publish()
    {
        var controlUrl = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The control API has no listening address.");
        var bootstrapFile = Path.GetFullPath(options.Value.BootstrapFile);
        var controlUrlFile = Path.GetFullPath(options.Value.ControlUrlFile);
        WriteAtomically(controlUrlFile, controlUrl);
        WriteAtomically(bootstrapFile, cluster.BootstrapServers);
        logger.LogInformation(
            "Dev broker ready: bootstrap {BootstrapServers} (written to {BootstrapFile}), control API {ControlUrl} (written to {ControlUrlFile})",
            cluster.BootstrapServers, bootstrapFile, controlUrl, controlUrlFile);
    }

    private void Withdraw()
    {
        foreach (var file in new[] { options.Value.BootstrapFile, options.Value.ControlUrlFile })
        {
            File.Delete(Path.GetFullPath(file));
        }

        logger.LogInformation("Dev broker stopping");
    }

    private static void WriteAtomically(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content + "\n");
        File.Move(temporary, path, overwrite: true);
    }
}
