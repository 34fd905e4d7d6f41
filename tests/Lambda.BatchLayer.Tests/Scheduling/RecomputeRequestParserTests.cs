using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;

namespace Lambda.BatchLayer.Tests.Scheduling;

public sealed class RecomputeRequestParserTests
{
    [Theory]
    [InlineData(null, null, null, RecomputeMode.Incremental)]
    [InlineData("", "", "", RecomputeMode.Incremental)]
    [InlineData("incremental", null, null, RecomputeMode.Incremental)]
    [InlineData("FULL", null, null, RecomputeMode.Full)]
    [InlineData(null, "2026-01-01", "2026-01-31", RecomputeMode.Backfill)]
    [InlineData("backfill", "2026-01-05", "2026-01-05", RecomputeMode.Backfill)]
    public void Valid_arguments_give_the_request(string? mode, string? from, string? to, RecomputeMode expected)
    {
        var request = RecomputeRequestParser.Parse(mode, from, to);
        Assert.Equal(expected, request.Mode);
        Assert.Equal(string.IsNullOrEmpty(from) ? null : DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), request.From);
        Assert.Equal(string.IsNullOrEmpty(to) ? null : DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), request.To);
    }

    [Theory]
    [InlineData("sometimes", null, null, "mode", "is not a recompute mode")]
    [InlineData(null, "2026-02-30", "2026-03-01", "from", "not a date in the form yyyy-MM-dd")]
    [InlineData(null, "2026-01-01", "01/02/2026", "to", "not a date in the form yyyy-MM-dd")]
    [InlineData("backfill", null, "2026-01-01", "from", "from is required")]
    [InlineData("backfill", "2026-01-01", null, "to", "to is required")]
    [InlineData(null, "2026-01-02", "2026-01-01", "to", "is before from")]
    [InlineData("full", "2026-01-01", "2026-01-02", "from", "takes no range")]
    [InlineData("incremental", null, "2026-01-02", "to", "takes no range")]
    public void Invalid_arguments_are_refused_naming_the_argument(string? mode, string? from, string? to, string param, string message)
    {
        var error = Assert.Throws<InvalidRecomputeRequestException>(() => RecomputeRequestParser.Parse(mode, from, to));
        Assert.Equal(param, error.ParamName);
        Assert.Contains(message, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Days_format_as_job_arguments()
    {
        Assert.Equal("2026-03-09", RecomputeRequestParser.FormatDay(new DateOnly(2026, 3, 9)));
        Assert.Null(RecomputeRequestParser.FormatDay(null));
    }
}
