using System.Diagnostics;
using Lambda.Shared.Telemetry;

namespace Lambda.ServingLayer.Telemetry;

/// <summary>The serving layer's activity source: <c>ingest.publish</c>, whose context rides in the Kafka records it produces.</summary>
internal static class ServingLayerTracing
{
    public static readonly ActivitySource Source = new(LambdaTelemetryNames.ServingLayer);
}
