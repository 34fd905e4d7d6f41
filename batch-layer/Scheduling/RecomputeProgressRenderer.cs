using System.Globalization;
using System.Net;
using Hangfire;
using Hangfire.Dashboard;

namespace Lambda.BatchLayer.Scheduling;

/// <summary>
/// Shows a recompute's progress (stage, units, rows read, a progress bar) on its job page in the
/// Hangfire dashboard, read from the job parameter <see cref="RecomputeJob.ProgressParameter"/>.
/// Hangfire.Console is not available from the package mirror; this uses Hangfire's own
/// job-details renderer extension point.
/// </summary>
public static class RecomputeProgressRenderer
{
    private static int _registered;

    /// <summary>Registers the renderer once per process (Hangfire's dashboard configuration is global).</summary>
    public static void Register(IGlobalConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            configuration.UseJobDetailsRenderer(100, Render);
        }
    }

    /// <summary>The HTML for a job page; empty for other jobs and before the first report.</summary>
    public static NonEscapedString Render(JobDetailsRendererDto dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        if (dto.JobDetails?.Job?.Type != typeof(RecomputeJob)
            || dto.JobDetails.Properties is null
            || !dto.JobDetails.Properties.TryGetValue(RecomputeJob.ProgressParameter, out var json)
            || RecomputeProgressSnapshot.TryParse(json) is not { } snapshot)
        {
            return new NonEscapedString(string.Empty);
        }

        return new NonEscapedString(ToHtml(snapshot));
    }

    /// <summary>The HTML block for <paramref name="snapshot"/>.</summary>
    public static string ToHtml(RecomputeProgressSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var c = CultureInfo.InvariantCulture;
        var units = snapshot.Total is { } total
            ? string.Create(c, $"{snapshot.Completed:N0} of {total:N0}")
            : string.Create(c, $"{snapshot.Completed:N0}");
        var bar = snapshot.Percent is { } percent
            ? string.Create(c, $"<div class=\"progress\"><div class=\"progress-bar\" role=\"progressbar\" style=\"width: {percent:F0}%;\">{percent:F0}%</div></div>")
            : string.Empty;
        return "<div class=\"job-snippet lambda-recompute-progress\"><div class=\"job-snippet-header\"><h4>Recompute progress</h4></div>"
            + "<div class=\"job-snippet-body\"><p>Stage <strong>" + WebUtility.HtmlEncode(snapshot.Stage) + "</strong>: "
            + WebUtility.HtmlEncode(units) + ", " + snapshot.RowsRead.ToString("N0", c) + " rows read, updated "
            + WebUtility.HtmlEncode(snapshot.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", c)) + " UTC</p>"
            + bar + "</div></div>";
    }
}
