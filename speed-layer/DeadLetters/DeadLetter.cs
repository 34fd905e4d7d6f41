using Lambda.Shared.Events;

namespace Lambda.SpeedLayer.DeadLetters;

/// <summary>A rejected message on its way to the dead-letter topic: its original bytes and why it was rejected.</summary>
/// <param name="SourceTopic">Topic the message was consumed from.</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Offset">Its position (<see cref="Lambda.Shared.Kafka.Epochs.KafkaPosition"/>: the Kafka offset in its offset epoch).</param>
/// <param name="Key">The original key bytes, or null when the message had none.</param>
/// <param name="Value">The original value bytes.</param>
/// <param name="Rejection">Why the parser rejected it.</param>
public sealed record DeadLetter(string SourceTopic, int Partition, long Offset, byte[]? Key, byte[] Value, EventRejection Rejection);
