using System.Globalization;
using Lambda.BatchLayer.Recompute;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Turns the plain arguments of a recompute (Hangfire job arguments, command-line options, admin API
/// body) into a <see cref="RecomputeRequest"/>, with errors that name the bad argument.
/// </summary>
public static class RecomputeRequestParser
{
    /// <summary>The date format of <c>from</c> and <c>to</c>: <c>yyyy-MM-dd</c> (a UTC day).</summary>
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>
    /// Builds a request. <paramref name="mode"/> is <c>incremental</c>, <c>full</c> or <c>backfill</c>
    /// (case-insensitive); when it is empty, a given range means backfill and no range means incremental.
    /// A backfill needs both <paramref name="from"/> and <paramref name="to"/> (inclusive UTC days,
    /// <c>yyyy-MM-dd</c>, from ≤ to); the other modes take no range.
    /// </summary>
    /// <exception cref="InvalidRecomputeRequestException">An argument is invalid; its name is the exception's ParamName.</exception>
    public static RecomputeRequest Parse(string? mode, string? from, string? to)
    {
        var fromDay = ParseDay(from, nameof(from));
        var toDay = ParseDay(to, nameof(to));
        RecomputeMode parsedMode;
        if (string.IsNullOrWhiteSpace(mode))
        {
            parsedMode = fromDay is null && toDay is null ? RecomputeMode.Incremental : RecomputeMode.Backfill;
        }
        else if (!RecomputeModeNames.TryParse(mode, out parsedMode))
        {
            throw new InvalidRecomputeRequestException(
                $"mode '{mode}' is not a recompute mode; use {RecomputeModeNames.Incremental}, {RecomputeModeNames.Full} or {RecomputeModeNames.Backfill}.",
                nameof(mode));
        }

        return Create(parsedMode, fromDay, toDay);
    }

    /// <summary>Builds a request from typed values, with the same rules as <see cref="Parse"/>.</summary>
    /// <exception cref="InvalidRecomputeRequestException">The combination is invalid.</exception>
    public static RecomputeRequest Create(RecomputeMode mode, DateOnly? from, DateOnly? to)
    {
        if (mode == RecomputeMode.Backfill)
        {
            if (from is null)
            {
                throw new InvalidRecomputeRequestException("from is required for a backfill: the first UTC day to recompute (yyyy-MM-dd).", nameof(from));
            }

            if (to is null)
            {
                throw new InvalidRecomputeRequestException("to is required for a backfill: the last UTC day to recompute, inclusive (yyyy-MM-dd).", nameof(to));
            }

            if (to < from)
            {
                throw new InvalidRecomputeRequestException(
                    $"to ({to.Value.ToString(DateFormat, CultureInfo.InvariantCulture)}) is before from ({from.Value.ToString(DateFormat, CultureInfo.InvariantCulture)}).",
                    nameof(to));
            }
        }
        else if (from is not null || to is not null)
        {
            throw new InvalidRecomputeRequestException(
                $"from/to select the days of a backfill; a {mode.ToName()} recompute takes no range.", from is not null ? nameof(from) : nameof(to));
        }

        return new RecomputeRequest { Mode = mode, From = from, To = to };
    }

    /// <summary>Formats a day as a job argument (<c>yyyy-MM-dd</c>), or null.</summary>
    public static string? FormatDay(DateOnly? day) => day?.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static DateOnly? ParseDay(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateOnly.TryParseExact(text.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new InvalidRecomputeRequestException($"{name} '{text}' is not a date in the form yyyy-MM-dd (a UTC day).", name);
    }
}
