namespace Lambda.Shared.Telemetry;

/// <summary>
/// How a service exports its metrics and traces. Bound from the <c>Telemetry</c> configuration section; validated on
/// start by <see cref="TelemetryOptionsValidator"/>. The same keys apply to every service.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>Path of the Prometheus scrape endpoint. Default <c>/metrics</c>.</summary>
    public string MetricsPath { get; init; } = "/metrics";

    /// <summary>
    /// When set, the scrape endpoint is served only on this port (the service also listens on it, on
    /// <see cref="MetricsHost"/>), so a firewall can keep it apart from the API. Default null: the service's own port.
    /// </summary>
    public int? MetricsPort { get; init; }

    /// <summary>Interface the separate metrics port binds. Default <c>127.0.0.1</c>.</summary>
    public string MetricsHost { get; init; } = "127.0.0.1";

    /// <summary>
    /// When set, a scrape must send this key in the <c>X-Api-Key</c> header (or as <c>Authorization: Bearer</c>,
    /// which Prometheus' <c>authorization</c> setting sends); other scrapes get 401. Default null: no key.
    /// </summary>
    public string? MetricsApiKey { get; init; }

    /// <summary>
    /// OTLP collector endpoint (e.g. <c>http://otel-collector:4317</c>); metrics and traces are pushed there as well.
    /// Default null: no OTLP export.
    /// </summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>OTLP transport: <c>grpc</c> or <c>http/protobuf</c>. Default <c>grpc</c>.</summary>
    public string OtlpProtocol { get; init; } = "grpc";

    /// <summary>
    /// How long a scrape's answer is reused for the next scrapes; a second scrape within it sees the same values.
    /// Default 0 (every scrape collects afresh; the services' instruments are cheap to collect).
    /// </summary>
    public TimeSpan ScrapeCacheDuration { get; init; } = TimeSpan.Zero;
}
