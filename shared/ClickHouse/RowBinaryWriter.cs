using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// Encodes values in ClickHouse's RowBinary format (little-endian fixed-width numbers,
/// LEB128-length-prefixed strings), column after column, row after row, in the order of the
/// INSERT's column list. Writes go to an in-memory buffer; inside an insert,
/// <see cref="FlushIfNeededAsync"/> between rows streams the buffer to the server.
/// </summary>
/// <remarks>
/// The format carries no types: writing a value with the wrong width corrupts every following
/// row, and the server then fails with a parse error (or worse, reads garbage into later columns).
/// Match each Write call to the column type: String → WriteString, UInt64 → WriteUInt64,
/// Decimal(18,s) → WriteDecimal64(v, s), DateTime → WriteDateTime, Date → WriteDate,
/// Nullable(T) → WriteNull or WriteNotNull followed by the value,
/// Array(T) → WriteArrayLength then the elements, AggregateFunction(...) → WriteRaw(state).
/// </remarks>
public sealed class RowBinaryWriter : IDisposable
{
    /// <summary>Buffered bytes above which <see cref="FlushIfNeededAsync"/> sends them on.</summary>
    public const int DefaultFlushThreshold = 256 * 1024;

    // A UTF-16 char is at most 3 UTF-8 bytes (surrogate pairs: 4 bytes for 2 chars), so up to 42
    // chars fit in 126 bytes, below the 128 that a one-byte LEB128 length can announce.
    private const int MaxCharsForOneByteLength = 42;

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly UInt128[] PowersOfTen = CreatePowersOfTen();

    private readonly Stream? _sink;
    private readonly int _flushThreshold;
    private byte[] _buffer;
    private int _position;
    private long _flushed;
    private bool _disposed;

    /// <summary>A writer that only buffers (for building bodies yourself and for tests).</summary>
    public RowBinaryWriter()
        : this(null, DefaultFlushThreshold)
    {
    }

    internal RowBinaryWriter(Stream? sink, int flushThreshold)
    {
        _sink = sink;
        _flushThreshold = flushThreshold;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(flushThreshold, 64 * 1024) + 4096);
    }

    /// <summary>Whether sending to the insert body failed (a transport failure, not the caller's).</summary>
    internal bool SinkFailed { get; private set; }

    /// <summary>All bytes written so far, including those already sent.</summary>
    public long BytesWritten => _flushed + _position;

    /// <summary>The bytes written and not yet sent (for a buffer-only writer: everything).</summary>
    public ReadOnlySpan<byte> BufferedBytes => _buffer.AsSpan(0, _position);

    /// <summary>Sends the buffered bytes to the insert body now (no-op for a buffer-only writer).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_sink is null || _position == 0)
        {
            return;
        }

        try
        {
            await _sink.WriteAsync(_buffer.AsMemory(0, _position), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SinkFailed = true;
            throw;
        }

        _flushed += _position;
        _position = 0;
    }

    /// <summary>
    /// Sends the buffer once it holds more than <see cref="DefaultFlushThreshold"/> bytes; call it
    /// between rows so a large insert streams instead of piling up in memory.
    /// </summary>
    public ValueTask FlushIfNeededAsync(CancellationToken cancellationToken) =>
        _sink is not null && _position >= _flushThreshold ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Drops the buffered bytes (a buffer-only writer can then be reused).</summary>
    public void Reset()
    {
        _flushed = 0;
        _position = 0;
    }

    /// <summary>UInt8.</summary>
    public void WriteUInt8(byte value) => Reserve(1)[0] = value;

    /// <summary>Int8.</summary>
    public void WriteInt8(sbyte value) => Reserve(1)[0] = unchecked((byte)value);

    /// <summary>A Bool / UInt8 column: 1 or 0.</summary>
    public void WriteBoolean(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>UInt16.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    /// <summary>Int16.</summary>
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Reserve(2), value);

    /// <summary>UInt32.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    /// <summary>Int32.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    /// <summary>UInt64.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    /// <summary>Int64.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    /// <summary>Float32.</summary>
    public void WriteFloat32(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);

    /// <summary>Float64.</summary>
    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>An unsigned LEB128 number (string lengths, array sizes).</summary>
    public void WriteVarUInt(ulong value)
    {
        var span = Reserve(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _position -= 10 - i;
    }

    /// <summary>A String column from text, encoded as UTF-8.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length <= MaxCharsForOneByteLength)
        {
            // Short strings (most dimension values) encode in one pass: their length prefix is one byte.
            EnsureCapacity(1 + (value.Length * 3));
            var target = _buffer.AsSpan(_position);
            var written = Encoding.UTF8.GetBytes(value, target[1..]);
            target[0] = (byte)written;
            _position += 1 + written;
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)length);
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    /// <summary>A String column from raw bytes (ClickHouse strings are byte strings; any byte is allowed).</summary>
    public void WriteString(ReadOnlySpan<byte> value)
    {
        WriteVarUInt((ulong)value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    /// <summary>A FixedString(length) column: the bytes, zero-padded to length.</summary>
    public void WriteFixedString(ReadOnlySpan<byte> value, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (value.Length > length)
        {
            throw new ArgumentException($"The value has {value.Length} bytes; FixedString({length}) holds at most {length}.", nameof(value));
        }

        var span = Reserve(length);
        value.CopyTo(span);
        span[value.Length..].Clear();
    }

    /// <summary>
    /// Bytes with no length prefix. This is how an AggregateFunction column takes a state (for
    /// example one read back with <see cref="ClickHouseRow.GetBytes(int)"/> from a *State query).
    /// </summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Decimal32(scale) / Decimal(P ≤ 9, scale). Throws if the value needs more fractional digits than scale.</summary>
    public void WriteDecimal32(decimal value, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 9);
        var scaled = ToScaled(value, scale, nameof(value));
        if (scaled < int.MinValue || scaled > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The value does not fit Decimal32 with scale {scale}.");
        }

        WriteInt32((int)scaled);
    }

    /// <summary>Decimal64(scale) / Decimal(P ≤ 18, scale). Throws if the value needs more fractional digits than scale.</summary>
    public void WriteDecimal64(decimal value, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 18);
        var scaled = ToScaled(value, scale, nameof(value));
        if (scaled < long.MinValue || scaled > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The value does not fit Decimal64 with scale {scale}.");
        }

        WriteInt64((long)scaled);
    }

    /// <summary>Decimal128(scale) / Decimal(P ≤ 38, scale). Throws if the value needs more fractional digits than scale.</summary>
    public void WriteDecimal128(decimal value, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 38);
        var scaled = ToScaled(value, scale, nameof(value));
        var span = Reserve(16);
        BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)(scaled & ulong.MaxValue));
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], (ulong)(scaled >> 64));
    }

    /// <summary>
    /// A DateTime column: UInt32 Unix seconds. The value must be UTC (Kind Utc, or Unspecified
    /// taken as UTC); sub-second parts are dropped, as ClickHouse's DateTime has whole seconds.
    /// </summary>
    public void WriteDateTime(DateTime utc) => WriteUInt32(ToUnixSeconds(utc, nameof(utc)));

    /// <summary>A DateTime column from an instant with any offset.</summary>
    public void WriteDateTime(DateTimeOffset value) => WriteUInt32(ToUnixSeconds(value.UtcDateTime, nameof(value)));

    /// <summary>A Date column: UInt16 days since 1970-01-01.</summary>
    public void WriteDate(DateOnly date)
    {
        var days = date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        if (days is < 0 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(date), date, "A ClickHouse Date lies between 1970-01-01 and 2149-06-06.");
        }

        WriteUInt16((ushort)days);
    }

    /// <summary>A UUID column: the high 64 bits, then the low 64 bits, each little-endian.</summary>
    public void WriteUuid(Guid value)
    {
        Span<byte> bigEndian = stackalloc byte[16];
        value.TryWriteBytes(bigEndian, bigEndian: true, out _);
        var span = Reserve(16);
        BinaryPrimitives.WriteUInt64LittleEndian(span, BinaryPrimitives.ReadUInt64BigEndian(bigEndian));
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], BinaryPrimitives.ReadUInt64BigEndian(bigEndian[8..]));
    }

    /// <summary>A NULL in a Nullable column (nothing follows).</summary>
    public void WriteNull() => Reserve(1)[0] = 1;

    /// <summary>The marker of a non-NULL value in a Nullable column; write the value right after.</summary>
    public void WriteNotNull() => Reserve(1)[0] = 0;

    /// <summary>The element count of an Array column; write the elements right after.</summary>
    public void WriteArrayLength(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteVarUInt((ulong)count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var buffer = _buffer;
        _buffer = [];
        _position = 0;
        ArrayPool<byte>.Shared.Return(buffer);
    }

    internal static uint ToUnixSeconds(DateTime utc, string paramName)
    {
        if (utc.Kind == DateTimeKind.Local)
        {
            throw new ArgumentException("The value must be UTC (DateTimeKind.Utc), not local time.", paramName);
        }

        var ticks = utc.Ticks - UnixEpochTicks;
        if (ticks < 0 || ticks / TimeSpan.TicksPerSecond > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, utc, "A ClickHouse DateTime lies between 1970-01-01 and 2106-02-07 UTC.");
        }

        return (uint)(ticks / TimeSpan.TicksPerSecond);
    }

    /// <summary>value × 10^scale as an exact integer, from the decimal's own mantissa and scale.</summary>
    internal static Int128 ToScaled(decimal value, int scale, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var negative = bits[3] < 0;
        var valueScale = (bits[3] >> 16) & 0xFF;

        UInt128 magnitude;
        if (scale >= valueScale)
        {
            var factor = PowersOfTen[scale - valueScale];
            if (mantissa != 0 && mantissa > UInt128.MaxValue / factor)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"The value does not fit a decimal with scale {scale}.");
            }

            magnitude = mantissa * factor;
        }
        else
        {
            var divisor = PowersOfTen[valueScale - scale];
            if (mantissa % divisor != 0)
            {
                throw new ArgumentException(
                    $"The value {value} has more than {scale} fractional digits; round it explicitly before writing.", paramName);
            }

            magnitude = mantissa / divisor;
        }

        if (magnitude > (UInt128)Int128.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"The value does not fit a decimal with scale {scale}.");
        }

        return negative ? -(Int128)magnitude : (Int128)magnitude;
    }

    private void EnsureCapacity(int count)
    {
        if (_buffer.Length - _position < count)
        {
            Grow(count);
        }
    }

    private Span<byte> Reserve(int count)
    {
        EnsureCapacity(count);
        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private void Grow(int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var required = checked(_position + count);
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(required, Math.Max(_buffer.Length * 2, 4096)));
        _buffer.AsSpan(0, _position).CopyTo(next);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = next;
    }

    private static UInt128[] CreatePowersOfTen()
    {
        var powers = new UInt128[39];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
