using Lambda.Shared.Batch;
using Lambda.Testing;

namespace Lambda.Shared.Tests.Batch;

public sealed class RecomputeRequestValidatorTests
{
    [Theory]
    [MemberData(nameof(RecomputeRequestCases.Accepted), MemberType = typeof(RecomputeRequestCases))]
    public void Accepted_arguments_give_the_request(string? mode, string? from, string? to, string expectedMode)
    {
        Assert.True(RecomputeRequestValidator.TryValidate(new RecomputeArguments { Mode = mode, From = from, To = to }, out var request, out var error), error?.Message);

        Assert.Equal(expectedMode, request.Mode.ToName());
        Assert.Equal(from is null ? null : DateOnly.ParseExact(from, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), request.From);
        Assert.Equal(to is null ? null : DateOnly.ParseExact(to, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), request.To);
    }

    [Theory]
    [MemberData(nameof(RecomputeRequestCases.Refused), MemberType = typeof(RecomputeRequestCases))]
    public void Refused_arguments_name_the_argument(string? mode, string? from, string? to, string parameter, string message)
    {
        var arguments = new RecomputeArguments { Mode = mode, From = from, To = to };

        Assert.False(RecomputeRequestValidator.TryValidate(arguments, out _, out var error));
        Assert.Equal((parameter, message), (error.Parameter, error.Message));
        var thrown = Assert.Throws<InvalidRecomputeRequestException>(() => RecomputeRequestValidator.Validate(arguments));
        Assert.Equal((parameter, message), (thrown.ParamName, thrown.Reason));
    }

    [Theory]
    [InlineData("", "", "", "incremental")]
    [InlineData(" ", null, null, "incremental")]
    public void Blank_arguments_count_as_absent(string? mode, string? from, string? to, string expectedMode)
    {
        Assert.Equal(expectedMode, RecomputeRequestValidator.Validate(new RecomputeArguments { Mode = mode, From = from, To = to }).Mode.ToName());
    }

    [Fact]
    public void A_validated_request_round_trips_through_its_arguments()
    {
        var request = new RecomputeRequest { Mode = RecomputeMode.Backfill, From = new DateOnly(2026, 3, 9), To = new DateOnly(2026, 3, 10) };

        var arguments = RecomputeArguments.Of(request);

        Assert.Equal(("backfill", "2026-03-09", "2026-03-10"), (arguments.Mode, arguments.From, arguments.To));
        Assert.Equal(request, RecomputeRequestValidator.Validate(arguments));
    }
}
