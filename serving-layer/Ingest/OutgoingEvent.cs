namespace Lambda.ServingLayer.Ingest;

/// <summary>One accepted event on its way to Kafka: the message key (null for none) and the event's JSON exactly as received.</summary>
public readonly record struct OutgoingEvent(byte[]? Key, byte[] Value);
