namespace Lambda.Shared.Telemetry;

/// <summary>
/// The naming convention that lets one registration export every service's instruments: each meter and
/// activity source of the platform is named <c>Lambda.&lt;Layer&gt;[.&lt;Part&gt;]</c>, and the exporters subscribe to
/// <see cref="Wildcard"/>.
/// </summary>
public static class LambdaTelemetryNames
{
    /// <summary>The subscription pattern of every Lambda meter and activity source.</summary>
    public const string Wildcard = "Lambda.*";

    /// <summary>The serving layer's meter and activity source.</summary>
    public const string ServingLayer = "Lambda.ServingLayer";

    /// <summary>The speed layer's meter and activity source.</summary>
    public const string SpeedLayer = "Lambda.SpeedLayer";

    /// <summary>The batch layer's meter (recompute, compaction, master dataset).</summary>
    public const string BatchLayer = "Lambda.BatchLayer";
}
