using System.Text;
using Lambda.ServingLayer.Admin;

namespace Lambda.ServingLayer.Tests.Admin;

public sealed class RecomputeRequestReaderTests
{
    [Theory]
    [InlineData("", "incremental", null, null)]
    [InlineData(" \n", "incremental", null, null)]
    [InlineData("{}", "incremental", null, null)]
    [InlineData("{\"mode\":\"full\"}", "full", null, null)]
    [InlineData("{\"from\":\"2026-11-01\",\"to\":\"2026-11-03\"}", "backfill", "2026-11-01", "2026-11-03")]
    [InlineData("{\"mode\":\"backfill\",\"from\":\"2026-11-01\",\"to\":\"2026-11-01\"}", "backfill", "2026-11-01", "2026-11-01")]
    [InlineData("{\"mode\":\"incremental\",\"from\":null,\"to\":null}", "incremental", null, null)]
    public void Valid_bodies_give_their_command(string body, string mode, string? from, string? to)
    {
        Assert.True(RecomputeRequestReader.TryRead(Encoding.UTF8.GetBytes(body), out var command, out var error), error?.Message);

        Assert.Equal(new RecomputeCommand(mode, from is null ? null : DateOnly.Parse(from), to is null ? null : DateOnly.Parse(to)), command);
    }

    [Theory]
    [InlineData("{", "body")]
    [InlineData("[]", "body")]
    [InlineData("\"2026-11-01\"", "body")]
    [InlineData("{\"from\":\"2026-11-01\"}", "to")]
    [InlineData("{\"to\":\"2026-11-01\"}", "from")]
    [InlineData("{\"from\":\"2026-11-05\",\"to\":\"2026-11-01\"}", "to")]
    [InlineData("{\"from\":\"01/11/2026\",\"to\":\"2026-11-03\"}", "from")]
    [InlineData("{\"from\":\"2026-11-01\",\"to\":\"2026-11-31\"}", "to")]
    [InlineData("{\"from\":20261101,\"to\":\"2026-11-03\"}", "from")]
    [InlineData("{\"mode\":\"nightly\"}", "mode")]
    [InlineData("{\"mode\":\"backfill\"}", "from")]
    [InlineData("{\"mode\":\"full\",\"from\":\"2026-11-01\",\"to\":\"2026-11-03\"}", "mode")]
    [InlineData("{\"form\":\"2026-11-01\"}", "form")]
    public void Bad_bodies_are_refused_naming_the_field(string body, string field)
    {
        Assert.False(RecomputeRequestReader.TryRead(Encoding.UTF8.GetBytes(body), out _, out var error));

        Assert.Equal(field, error.Parameter);
        Assert.Equal(400, error.StatusCode);
    }
}
