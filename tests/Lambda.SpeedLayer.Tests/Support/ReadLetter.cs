namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>A dead letter as read back from Kafka.</summary>
internal sealed record ReadLetter(int Partition, long Offset, string SourceTopic, string Reason, string Error, byte[] Value);
