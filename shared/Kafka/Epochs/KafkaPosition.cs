using System.Globalization;

namespace Lambda.Shared.Kafka.Epochs;

/// <summary>
/// A stored offset: the offset epoch of its topic in the high bits and the Kafka offset in the low
/// <see cref="OffsetBits"/> bits, so positions of a later epoch sort after every position of an earlier one.
/// Everything the platform stores as an offset (speed-table rows, master-dataset rows and commits, batch
/// watermarks) is a position; the merge "batch below the watermark, speed at or above it" therefore covers all
/// earlier epochs whole. Epoch 0 positions equal the Kafka offsets, which is why data stored before epochs
/// existed needs no rewrite. See docs/design-notes.md#offset-epochs.
/// </summary>
public static class KafkaPosition
{
    /// <summary>Bits of a position that hold the Kafka offset: offsets up to 2^44 - 1 (~17.6 trillion per partition and epoch).</summary>
    public const int OffsetBits = 44;

    /// <summary>The largest Kafka offset a position can hold.</summary>
    public const long MaxOffset = (1L << OffsetBits) - 1;

    /// <summary>The largest epoch number (2^19 - 1): the sign bit stays clear.</summary>
    public const int MaxEpoch = (1 << (63 - OffsetBits)) - 1;

    /// <summary>The position of <paramref name="offset"/> in <paramref name="epoch"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch or the offset does not fit.</exception>
    public static long Encode(int epoch, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epoch, MaxEpoch);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, MaxOffset);
        return ((long)epoch << OffsetBits) | offset;
    }

    /// <summary>The epoch of <paramref name="position"/>.</summary>
    public static int EpochOf(long position) => (int)(position >> OffsetBits);

    /// <summary>The Kafka offset of <paramref name="position"/> within its epoch.</summary>
    public static long OffsetOf(long position) => position & MaxOffset;

    /// <summary>The first position of <paramref name="epoch"/> (offset 0).</summary>
    public static long FirstOf(int epoch) => Encode(epoch, 0);

    /// <summary>For logs and errors: <c>offset</c> in epoch 0, <c>e{epoch}:{offset}</c> after.</summary>
    public static string Format(long position) =>
        EpochOf(position) == 0
            ? OffsetOf(position).ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"e{EpochOf(position)}:{OffsetOf(position)}");
}
