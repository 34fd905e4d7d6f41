using System.Text;
using FsCheck.Xunit;
using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.Tests.ClickHouse;

public sealed class TabSeparatedEscapingTests
{
    private static byte[] Unescape(string escaped)
    {
        var source = Encoding.Latin1.GetBytes(escaped);
        var target = new byte[source.Length];
        var length = TabSeparatedEscaping.Unescape(source, target);
        return target[..length];
    }

    [Theory]
    [InlineData(@"plain", "706C61696E")]
    [InlineData(@"a\tb", "610962")]
    [InlineData(@"a\nb", "610A62")]
    [InlineData(@"\\", "5C")]
    [InlineData(@"\'", "27")]
    [InlineData(@"\0", "00")]
    [InlineData(@"\b\f\r\a\v", "080C0D070B")]
    [InlineData(@"\x41\xff", "41FF")]
    [InlineData(@"\xZZ", "785A5A")]
    [InlineData(@"\q", "71")]
    [InlineData(@"end\", "656E645C")]
    [InlineData("\u00ff", "FF")]
    public void Unescapes_ClickHouse_sequences(string escaped, string expectedHex) =>
        Assert.Equal(expectedHex, Convert.ToHexString(Unescape(escaped)));

    [Fact]
    public void Field_backslash_N_is_null_but_escaped_N_inside_text_is_not()
    {
        Assert.True(TabSeparatedEscaping.IsNull(@"\N"u8));
        Assert.False(TabSeparatedEscaping.IsNull(@"\\N"u8));
        Assert.False(TabSeparatedEscaping.IsNull(@"\Nx"u8));
        Assert.False(TabSeparatedEscaping.IsNull("N"u8));
    }

    [Fact]
    public void Server_output_for_binary_bytes_unescapes_exactly()
    {
        // What 18.16 wrote for unhex('00FF0A09') in TabSeparated.
        byte[] escaped = [(byte)'\\', (byte)'0', 0xFF, (byte)'\\', (byte)'n', (byte)'\\', (byte)'t'];
        var target = new byte[escaped.Length];
        Assert.Equal("00FF0A09", Convert.ToHexString(target, 0, TabSeparatedEscaping.Unescape(escaped, target)));
    }

    [Property(MaxTest = 500)]
    public bool Escape_then_unescape_gives_the_bytes_back(byte[] raw)
    {
        var escaped = TabSeparatedEscaping.Escape(raw);
        var target = new byte[escaped.Length];
        var length = TabSeparatedEscaping.Unescape(escaped, target);
        return target.AsSpan(0, length).SequenceEqual(raw)
            && !escaped.Contains((byte)'\t') && !escaped.Contains((byte)'\n');
    }

    [Property(MaxTest = 200)]
    public bool Unescaping_in_place_matches_unescaping_into_a_copy(byte[] raw)
    {
        var escaped = TabSeparatedEscaping.Escape(raw);
        var inPlace = escaped.ToArray();
        var length = TabSeparatedEscaping.Unescape(inPlace, inPlace);
        return inPlace.AsSpan(0, length).SequenceEqual(raw);
    }
}
