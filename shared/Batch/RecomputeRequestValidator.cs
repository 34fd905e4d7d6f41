using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Lambda.Shared.Batch;

/// <summary>
/// The one set of rules for a recompute, whichever entry point it comes through (admin API, Hangfire job,
/// command line): a mode name from <see cref="RecomputeModeNames"/> (exact spelling), or none; days as
/// <c>yyyy-MM-dd</c>; a backfill needs both days with from ≤ to; the other modes take no range.
/// </summary>
public static class RecomputeRequestValidator
{
    /// <summary>Validates <paramref name="arguments"/>.</summary>
    /// <returns>True with <paramref name="request"/> set, or false with <paramref name="error"/> naming the argument.</returns>
    public static bool TryValidate(
        RecomputeArguments arguments,
        [NotNullWhen(true)] out RecomputeRequest? request,
        [NotNullWhen(false)] out RecomputeRequestError? error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        request = null;
        if (!TryParseDay(arguments.From, "from", out var from, out error) || !TryParseDay(arguments.To, "to", out var to, out error))
        {
            return false;
        }

        RecomputeMode mode;
        if (string.IsNullOrWhiteSpace(arguments.Mode))
        {
            mode = from is null && to is null ? RecomputeMode.Incremental : RecomputeMode.Backfill;
        }
        else if (!RecomputeModeNames.TryParse(arguments.Mode, out mode))
        {
            error = new RecomputeRequestError(
                "mode", $"mode '{Shorten(arguments.Mode)}' is not a recompute mode; use {string.Join(", ", RecomputeModeNames.All)}.");
            return false;
        }

        if (mode == RecomputeMode.Backfill)
        {
            if (from is null)
            {
                error = new RecomputeRequestError("from", "from is required for a backfill: the first UTC day to recompute (yyyy-MM-dd).");
                return false;
            }

            if (to is null)
            {
                error = new RecomputeRequestError("to", "to is required for a backfill: the last UTC day to recompute, inclusive (yyyy-MM-dd).");
                return false;
            }

            if (to < from)
            {
                error = new RecomputeRequestError(
                    "to", $"to ({RecomputeArguments.FormatDay(to)}) is before from ({RecomputeArguments.FormatDay(from)}).");
                return false;
            }
        }
        else if (from is not null || to is not null)
        {
            error = new RecomputeRequestError("mode", $"from/to select the days of a backfill; mode {mode.ToName()} takes no range.");
            return false;
        }

        request = new RecomputeRequest { Mode = mode, From = from, To = to };
        error = null;
        return true;
    }

    /// <summary>Validates <paramref name="arguments"/>.</summary>
    /// <exception cref="InvalidRecomputeRequestException">An argument is invalid; its name is the exception's ParamName.</exception>
    public static RecomputeRequest Validate(RecomputeArguments arguments) =>
        TryValidate(arguments, out var request, out var error)
            ? request
            : throw new InvalidRecomputeRequestException(error.Message, error.Parameter);

    private static bool TryParseDay(string? text, string name, out DateOnly? day, [NotNullWhen(false)] out RecomputeRequestError? error)
    {
        day = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, RecomputeArguments.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            day = parsed;
            return true;
        }

        error = new RecomputeRequestError(name, $"{name} '{Shorten(text)}' is not a date in the form yyyy-MM-dd (a UTC day).");
        return false;
    }

    // Echoed input stays readable in an error message whatever was sent.
    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}
