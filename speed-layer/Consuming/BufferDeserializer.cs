using Confluent.Kafka;

namespace Lambda.SpeedLayer.Consuming;

/// <summary>
/// Copies a key or value into a buffer reused for every message instead of allocating an array per
/// message; the memory is valid until the next message is consumed (the pipeline processes each message
/// before consuming the next, and copies what it keeps).
/// </summary>
internal sealed class BufferDeserializer : IDeserializer<ReadOnlyMemory<byte>>
{
    private byte[] _buffer = new byte[4096];

    public ReadOnlyMemory<byte> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull || data.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (data.Length > _buffer.Length)
        {
            _buffer = new byte[Math.Max(data.Length, _buffer.Length * 2)];
        }

        data.CopyTo(_buffer);
        return new ReadOnlyMemory<byte>(_buffer, 0, data.Length);
    }
}
