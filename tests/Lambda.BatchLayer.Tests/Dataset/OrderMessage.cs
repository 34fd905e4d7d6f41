using Lambda.Shared.Events;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>A message of the orders topic at a known position; <see cref="Event"/> is null for an invalid message.</summary>
internal sealed record OrderMessage(int Partition, long Offset, byte[] Json, EventRecord? Event);
