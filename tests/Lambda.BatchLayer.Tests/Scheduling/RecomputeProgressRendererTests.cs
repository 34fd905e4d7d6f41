using Lambda.BatchLayer.Recompute;
using Lambda.BatchLayer.Scheduling;

namespace Lambda.BatchLayer.Tests.Scheduling;

public sealed class RecomputeProgressRendererTests
{
    [Fact]
    public void A_snapshot_round_trips_through_its_job_parameter_json()
    {
        var at = new DateTimeOffset(2026, 11, 25, 2, 0, 5, TimeSpan.Zero);
        var snapshot = RecomputeProgressSnapshot.From(new RecomputeProgress("aggregate", 3, 12, 1_234_567), at);
        Assert.Equal(snapshot, RecomputeProgressSnapshot.TryParse(snapshot.ToJson()));
        Assert.Equal(25d, snapshot.Percent);
        Assert.Null(RecomputeProgressSnapshot.TryParse("not json"));
        Assert.Null(RecomputeProgressSnapshot.TryParse(null));
    }

    [Fact]
    public void The_html_shows_stage_units_rows_and_a_bar_and_escapes_the_stage()
    {
        var at = new DateTimeOffset(2026, 11, 25, 2, 0, 5, TimeSpan.Zero);
        var html = RecomputeProgressRenderer.ToHtml(new RecomputeProgressSnapshot("<read>", 3, 12, 1_234_567, at));
        Assert.Contains("Stage <strong>&lt;read&gt;</strong>: 3 of 12, 1,234,567 rows read, updated 2026-11-25 02:00:05 UTC", html, StringComparison.Ordinal);
        Assert.Contains("style=\"width: 25%;\">25%</div>", html, StringComparison.Ordinal);

        var unknownTotal = RecomputeProgressRenderer.ToHtml(new RecomputeProgressSnapshot("read", 3, null, 0, at));
        Assert.DoesNotContain("progress-bar", unknownTotal, StringComparison.Ordinal);
    }
}
