using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.Tests.ClickHouse;

// Expected bytes were taken from ClickHouse 18.16's own RowBinary output for the same values.
public sealed class RowBinaryWriterTests
{
    private static string Hex(Action<RowBinaryWriter> write)
    {
        using var writer = new RowBinaryWriter();
        write(writer);
        return Convert.ToHexString(writer.BufferedBytes);
    }

    [Fact]
    public void Integers_are_little_endian_fixed_width()
    {
        Assert.Equal("FF", Hex(w => w.WriteUInt8(255)));
        Assert.Equal("80", Hex(w => w.WriteInt8(-128)));
        Assert.Equal("3412", Hex(w => w.WriteUInt16(0x1234)));
        Assert.Equal("FEFF", Hex(w => w.WriteInt16(-2)));
        Assert.Equal("78563412", Hex(w => w.WriteUInt32(0x12345678)));
        Assert.Equal("FFFFFFFF", Hex(w => w.WriteInt32(-1)));
        Assert.Equal("0807060504030201", Hex(w => w.WriteUInt64(0x0102030405060708)));
        Assert.Equal("FFFFFFFFFFFFFFFF", Hex(w => w.WriteUInt64(ulong.MaxValue)));
        Assert.Equal("0000000000000080", Hex(w => w.WriteInt64(long.MinValue)));
        Assert.Equal("01", Hex(w => w.WriteBoolean(true)));
        Assert.Equal("00", Hex(w => w.WriteBoolean(false)));
    }

    [Fact]
    public void Floats_are_IEEE_little_endian()
    {
        Assert.Equal("000000000000F83F", Hex(w => w.WriteFloat64(1.5)));
        Assert.Equal("000000000000F07F", Hex(w => w.WriteFloat64(double.PositiveInfinity)));
        Assert.Equal("0000C03F", Hex(w => w.WriteFloat32(1.5f)));
    }

    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(127UL, "7F")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "AC02")]
    [InlineData(16384UL, "808001")]
    [InlineData(ulong.MaxValue, "FFFFFFFFFFFFFFFFFF01")]
    public void VarUInt_is_LEB128(ulong value, string expected) => Assert.Equal(expected, Hex(w => w.WriteVarUInt(value)));

    [Fact]
    public void Strings_are_length_prefixed_bytes()
    {
        Assert.Equal("00", Hex(w => w.WriteString("")));
        Assert.Equal("03616263", Hex(w => w.WriteString("abc")));
        Assert.Equal("02C3A9", Hex(w => w.WriteString("é")));
        Assert.Equal("0500090A5CFF", Hex(w => w.WriteString([0x00, 0x09, 0x0A, 0x5C, 0xFF])));
        Assert.Equal("2A" + Convert.ToHexString(Enumerable.Repeat((byte)'x', 42).ToArray()), Hex(w => w.WriteString(new string('x', 42))));
        Assert.Equal("2B" + Convert.ToHexString(Enumerable.Repeat((byte)'x', 43).ToArray()), Hex(w => w.WriteString(new string('x', 43))));
        Assert.Equal("7E" + string.Concat(Enumerable.Repeat("E282AC", 42)), Hex(w => w.WriteString(new string('€', 42))));
        Assert.Equal("8101" + string.Concat(Enumerable.Repeat("E282AC", 43)), Hex(w => w.WriteString(new string('€', 43))));
        Assert.Equal("04F09F9A80", Hex(w => w.WriteString("🚀")));
        var long300 = new byte[300];
        Assert.StartsWith("AC0200", Hex(w => w.WriteString(long300)), StringComparison.Ordinal);
        Assert.Equal(302, Hex(w => w.WriteString(long300)).Length / 2);
    }

    [Fact]
    public void FixedString_is_zero_padded_and_raw_has_no_prefix()
    {
        Assert.Equal("61620000", Hex(w => w.WriteFixedString("ab"u8, 4)));
        Assert.Equal("00030000", Hex(w => w.WriteRaw([0x00, 0x03, 0x00, 0x00])));
        using var writer = new RowBinaryWriter();
        var ex = Assert.Throws<ArgumentException>(() => writer.WriteFixedString("abcde"u8, 4));
        Assert.Equal("value", ex.ParamName);
    }

    [Fact]
    public void Decimals_are_scaled_integers()
    {
        Assert.Equal("2EFBFFFFFFFFFFFF", Hex(w => w.WriteDecimal64(-12.34m, 2)));
        Assert.Equal("D204000000000000", Hex(w => w.WriteDecimal64(12.340m, 2)));
        Assert.Equal("E803000000000000", Hex(w => w.WriteDecimal64(10m, 2)));
        Assert.Equal("0F000000", Hex(w => w.WriteDecimal32(1.5m, 1)));
        Assert.Equal("64000000000000000000000000000000", Hex(w => w.WriteDecimal128(1m, 2)));
        Assert.Equal("9CFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", Hex(w => w.WriteDecimal128(-1m, 2)));
        // 79228162514264337593543950335 (decimal.MaxValue) × 10^2 overflows decimal but not Int128.
        Assert.Equal("9CFFFFFFFFFFFFFFFFFFFFFF63000000", Hex(w => w.WriteDecimal128(decimal.MaxValue, 2)));
        Assert.Equal("FFFFFFFFFFFFFF7F", Hex(w => w.WriteDecimal64(9223372036854775807m, 0)));
    }

    [Fact]
    public void Decimals_reject_lost_digits_and_overflow()
    {
        using var writer = new RowBinaryWriter();
        var lost = Assert.Throws<ArgumentException>(() => writer.WriteDecimal64(1.005m, 2));
        Assert.Equal("value", lost.ParamName);
        Assert.Contains("fractional digits", lost.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteDecimal64(92233720368547758.08m, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteDecimal32(21474836.48m, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteDecimal64(1m, 19));
        Assert.Equal(0, writer.BufferedBytes.Length);
    }

    [Fact]
    public void DateTime_is_unix_seconds_and_date_is_days()
    {
        Assert.Equal("01000000", Hex(w => w.WriteDateTime(DateTime.UnixEpoch.AddSeconds(1.9))));
        Assert.Equal("8015966A", Hex(w => w.WriteDateTime(new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc))));
        Assert.Equal("FFFFFFFF", Hex(w => w.WriteDateTime(DateTime.UnixEpoch.AddSeconds(uint.MaxValue))));
        Assert.Equal("01000000", Hex(w => w.WriteDateTime(new DateTimeOffset(1970, 1, 1, 2, 0, 1, TimeSpan.FromHours(2)))));
        Assert.Equal("0200", Hex(w => w.WriteDate(new DateOnly(1970, 1, 3))));
        Assert.Equal("FFFF", Hex(w => w.WriteDate(new DateOnly(2149, 6, 6))));
    }

    [Fact]
    public void DateTime_rejects_local_time_and_out_of_range()
    {
        using var writer = new RowBinaryWriter();
        Assert.Equal("utc", Assert.Throws<ArgumentException>(() => writer.WriteDateTime(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteDateTime(new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc)));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteDateTime(DateTime.UnixEpoch.AddSeconds(uint.MaxValue + 1L)));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteDate(new DateOnly(2149, 6, 7)));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteDate(new DateOnly(1969, 12, 31)));
    }

    [Fact]
    public void Uuid_is_high_then_low_half_little_endian()
    {
        Assert.Equal(
            "7766554433221100FFEEDDCCBBAA9988",
            Hex(w => w.WriteUuid(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"))));
    }

    [Fact]
    public void Nullable_and_array_markers()
    {
        Assert.Equal("01", Hex(w => w.WriteNull()));
        Assert.Equal("002A", Hex(w => { w.WriteNotNull(); w.WriteUInt8(42); }));
        Assert.Equal("020102", Hex(w => { w.WriteArrayLength(2); w.WriteUInt8(1); w.WriteUInt8(2); }));
    }

    [Fact]
    public void Buffer_grows_past_its_initial_size()
    {
        using var writer = new RowBinaryWriter();
        for (var i = 0; i < 100_000; i++)
        {
            writer.WriteUInt64((ulong)i);
        }

        Assert.Equal(800_000, writer.BufferedBytes.Length);
        Assert.Equal(800_000, writer.BytesWritten);
        Assert.Equal(99_999UL, BitConverter.ToUInt64(writer.BufferedBytes[^8..]));
    }

    [Fact]
    public async Task A_sink_receives_bytes_only_when_flushed_past_the_threshold()
    {
        using var sink = new MemoryStream();
        using var writer = new RowBinaryWriter(sink, flushThreshold: 16);
        writer.WriteUInt64(1);
        await writer.FlushIfNeededAsync(CancellationToken.None);
        Assert.Equal(0, sink.Length);

        writer.WriteUInt64(2);
        await writer.FlushIfNeededAsync(CancellationToken.None);
        Assert.Equal(16, sink.Length);
        Assert.Equal(0, writer.BufferedBytes.Length);

        writer.WriteUInt8(3);
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal("0100000000000000020000000000000003", Convert.ToHexString(sink.ToArray()));
        Assert.Equal(17, writer.BytesWritten);
    }
}
