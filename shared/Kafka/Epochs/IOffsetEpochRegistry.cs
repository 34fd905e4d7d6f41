namespace Lambda.Shared.Kafka.Epochs;

/// <summary>
/// Where the offset epochs of every topic are kept, shared by everything that stores offsets (the speed layer and
/// the archiver) and by the operator's <c>epoch</c> command. Append-only: an epoch is never changed or removed.
/// </summary>
public interface IOffsetEpochRegistry
{
    /// <summary>Every epoch registered for <paramref name="topic"/>, oldest first (empty when none is).</summary>
    Task<IReadOnlyList<OffsetEpoch>> ReadAsync(string topic, CancellationToken cancellationToken);

    /// <summary>
    /// Registers <paramref name="epoch"/>. Registering the same number twice (two processes that saw the same restart)
    /// is harmless: readers take the first registration's start offsets and the last known topic id.
    /// </summary>
    Task AppendAsync(OffsetEpoch epoch, CancellationToken cancellationToken);
}
