using System.Net;
using System.Text;
using Lambda.Shared.ClickHouse;

namespace Lambda.Shared.Tests.ClickHouse;

public sealed class ClickHouseErrorParserTests
{
    private const string Old18 =
        "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1: SELEC 1. Expected one of: SELECT, e.what() = DB::Exception\n";

    private const string Modern =
        "Code: 60. DB::Exception: Table default.nope does not exist. (UNKNOWN_TABLE) (version 24.8.4.13 (official build))\n";

    [Fact]
    public void Parses_the_18_16_error_format()
    {
        var ex = ClickHouseErrorParser.FromResponse(HttpStatusCode.BadRequest, Old18, null);
        Assert.Equal(62, ex.ErrorCode);
        Assert.Null(ex.ErrorName);
        Assert.Equal("Syntax error: failed at position 1: SELEC 1. Expected one of: SELECT", ex.ServerMessage);
        Assert.Equal(ClickHouseFailureKind.Server, ex.Kind);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.False(ex.IsTransient);
        Assert.StartsWith("ClickHouse error 62: Syntax error", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parses_the_current_error_format_with_name()
    {
        var ex = ClickHouseErrorParser.FromResponse(HttpStatusCode.NotFound, Modern, "60");
        Assert.Equal(60, ex.ErrorCode);
        Assert.Equal("UNKNOWN_TABLE", ex.ErrorName);
        Assert.Equal("Table default.nope does not exist", ex.ServerMessage);
        Assert.Contains("(UNKNOWN_TABLE)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parses_the_19_to_21_error_format_with_version_only()
    {
        var ex = ClickHouseErrorParser.FromResponse(
            HttpStatusCode.NotFound, "Code: 60, e.displayText() = DB::Exception: Table default.wtf doesn't exist (version 21.3.1.1)\n", null);
        Assert.Equal(60, ex.ErrorCode);
        Assert.Null(ex.ErrorName);
        Assert.Equal("Table default.wtf doesn't exist", ex.ServerMessage);
    }

    [Fact]
    public void Header_code_wins_and_unparsable_bodies_keep_the_status()
    {
        Assert.Equal(241, ClickHouseErrorParser.FromResponse(HttpStatusCode.InternalServerError, "out of memory", "241").ErrorCode);

        var proxy = ClickHouseErrorParser.FromResponse(HttpStatusCode.BadGateway, "<html>bad gateway</html>", null);
        Assert.Null(proxy.ErrorCode);
        Assert.True(proxy.IsTransient);
        Assert.Contains("502", proxy.Message, StringComparison.Ordinal);

        Assert.False(ClickHouseErrorParser.FromResponse(HttpStatusCode.Forbidden, "forbidden", null).IsTransient);
    }

    [Theory]
    [InlineData(252, true)] // TOO_MANY_PARTS
    [InlineData(210, true)] // NETWORK_ERROR
    [InlineData(159, true)] // TIMEOUT_EXCEEDED
    [InlineData(373, true)] // SESSION_IS_LOCKED
    [InlineData(62, false)] // SYNTAX_ERROR
    [InlineData(60, false)] // UNKNOWN_TABLE
    [InlineData(193, false)] // WRONG_PASSWORD
    [InlineData(27, false)] // CANNOT_PARSE_INPUT_ASSERTION_FAILED
    public void Server_codes_are_classified(int code, bool transient)
    {
        var body = $"Code: {code}, e.displayText() = DB::Exception: something, e.what() = DB::Exception";
        Assert.Equal(transient, ClickHouseErrorParser.FromResponse(HttpStatusCode.InternalServerError, body, null).IsTransient);
    }

    [Fact]
    public void Network_and_timeout_failures_are_transient_protocol_failures_are_not()
    {
        Assert.True(new ClickHouseException(ClickHouseFailureKind.Network, "refused").IsTransient);
        Assert.True(new ClickHouseException(ClickHouseFailureKind.Timeout, "slow").IsTransient);
        Assert.False(new ClickHouseException(ClickHouseFailureKind.Protocol, "odd").IsTransient);
        Assert.False(new ClickHouseException(ClickHouseFailureKind.Network, "refused", isTransient: false).IsTransient);
    }

    [Fact]
    public void Recognises_an_error_appended_to_a_streamed_result()
    {
        Assert.True(ClickHouseErrorParser.StartsWithException(
            "Code: 395, e.displayText() = DB::Exception: Value passed to 'throwIf' function is non zero, e.what() = DB::Exception"u8));
        Assert.True(ClickHouseErrorParser.StartsWithException("Code: 395. DB::Exception: Value passed to 'throwIf'"u8));
        Assert.False(ClickHouseErrorParser.StartsWithException("Code: 395"u8));
        Assert.False(ClickHouseErrorParser.StartsWithException("499999\t0"u8));

        var ex = ClickHouseErrorParser.FromStreamedError(Encoding.UTF8.GetString(
            "Code: 395, e.displayText() = DB::Exception: Value passed to 'throwIf' function is non zero, e.what() = DB::Exception\n"u8));
        Assert.Equal(395, ex.ErrorCode);
        Assert.Equal("Value passed to 'throwIf' function is non zero", ex.ServerMessage);
        Assert.Contains("while sending the result", ex.Message, StringComparison.Ordinal);
    }
}
