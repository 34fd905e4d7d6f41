using System.ComponentModel;
using System.Globalization;

namespace Lambda.Shared.Batch;

/// <summary>
/// A recompute as every entry point receives it, before validation: the body of the serving layer's
/// <c>POST /api/admin/batch/recompute</c>, the arguments of the Hangfire job and the options of the batch
/// layer's <c>recompute</c> command. <see cref="RecomputeRequestValidator"/> turns it into a
/// <see cref="RecomputeRequest"/>, with the same rules and messages for all three.
/// </summary>
[Description("The recompute to run. Empty: an incremental recompute.")]
public sealed record RecomputeArguments
{
    /// <summary>The format of <see cref="From"/> and <see cref="To"/>: a UTC day.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>incremental, full or backfill. Default (null or blank): backfill when a range is given, else incremental.</summary>
    [Description("incremental (the default without a range), full (every day of the master dataset) or backfill (the default with a range).")]
    public string? Mode { get; init; }

    /// <summary>First UTC day of a backfill, <c>yyyy-MM-dd</c>. Default: none.</summary>
    [Description("First UTC day of a backfill (yyyy-MM-dd), e.g. 2026-11-01; needs 'to'.")]
    public string? From { get; init; }

    /// <summary>Last UTC day of a backfill, inclusive, <c>yyyy-MM-dd</c>. Default: none.</summary>
    [Description("Last UTC day of a backfill, inclusive (yyyy-MM-dd); needs 'from'.")]
    public string? To { get; init; }

    /// <summary>The arguments that describe a validated <paramref name="request"/> (to enqueue it as a job).</summary>
    public static RecomputeArguments Of(RecomputeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new RecomputeArguments { Mode = request.Mode.ToName(), From = FormatDay(request.From), To = FormatDay(request.To) };
    }

    /// <summary>Formats a day as <see cref="DateFormat"/>, or null.</summary>
    public static string? FormatDay(DateOnly? day) => day?.ToString(DateFormat, CultureInfo.InvariantCulture);
}
