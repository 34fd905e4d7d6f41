using System.Globalization;
using Lambda.Testing;

namespace Lambda.Benchmarks.Soak;

/// <summary>
/// The platform as <c>scripts/lambda run</c> starts it (README, "Ports" and the development API keys): the services on
/// 127.0.0.1 at <c>LAMBDA_SERVING_PORT</c> (8080), <c>LAMBDA_SPEED_PORT</c> (8081), <c>LAMBDA_BATCH_PORT</c> (8082), their
/// PIDs in <c>.state/pids/&lt;service&gt;.pid</c> (<c>LAMBDA_STATE_DIR</c> moves <c>.state</c>).
/// </summary>
internal sealed record SoakEndpoints(
    Uri Serving,
    Uri SpeedMetrics,
    Uri BatchMetrics,
    string IngestKey,
    string QueryKey,
    string AdminKey,
    string? MetricsKey,
    string StateDirectory)
{
    /// <summary>The services whose RSS is sampled, by their pid-file names.</summary>
    public static readonly IReadOnlyList<string> Services = ["serving-layer", "speed-layer", "batch-layer"];

    /// <summary>The serving layer's URL as the README's defaults and the port variables give it.</summary>
    public static Uri DefaultServing => Local("LAMBDA_SERVING_PORT", 8080, "");

    /// <summary>The speed layer's scrape URL.</summary>
    public static Uri DefaultSpeedMetrics => Local("LAMBDA_SPEED_PORT", 8081, "metrics");

    /// <summary>The batch layer's scrape URL.</summary>
    public static Uri DefaultBatchMetrics => Local("LAMBDA_BATCH_PORT", 8082, "metrics");

    /// <summary>The state directory of the checkout the soak was built in.</summary>
    public static string DefaultStateDirectory => RepositoryPaths.StateDirectory;

    /// <summary>The pid file of <paramref name="service"/>.</summary>
    public string PidFile(string service) => Path.Combine(StateDirectory, "pids", service + ".pid");

    private static Uri Local(string variable, int port, string path)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        var chosen = string.IsNullOrWhiteSpace(text) ? port : int.Parse(text, CultureInfo.InvariantCulture);
        return new Uri($"http://127.0.0.1:{chosen.ToString(CultureInfo.InvariantCulture)}/{path}");
    }
}
