using System.Diagnostics;
using Lambda.Shared.Telemetry;

namespace Lambda.SpeedLayer.Metrics;

/// <summary>The speed layer's activity source: one <c>speed.flush</c> activity per stored flush.</summary>
internal static class SpeedLayerTracing
{
    /// <summary>
    /// Links a flush keeps to the producing requests of its records; beyond this a flush of a busy view would carry
    /// thousands of links, which no trace backend shows usefully.
    /// </summary>
    public const int MaxLinksPerFlush = 64;

    public static readonly ActivitySource Source = new(LambdaTelemetryNames.SpeedLayer);
}
