using Lambda.Shared.Events;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>An event with the Kafka partition and offset it was stored at.</summary>
internal sealed record OffsetEvent(int Partition, long Offset, EventRecord Record);
