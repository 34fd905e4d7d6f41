using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Pipeline;
using Lambda.Testing;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Tests.Pipeline;

public sealed class PipelineHealthReportTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

    private static readonly PipelineHealthOptions Settings = new()
    {
        Thresholds = new PipelineHealthThresholds
        {
            MaxSpeedLag = 400,
            MaxArchiverLag = 150,
            MaxFreshness = TimeSpan.FromSeconds(49),
            MaxRecomputeAge = TimeSpan.FromHours(1),
        },
    };

    [Fact]
    public void The_newest_sample_is_flagged_where_strictly_above_its_threshold_and_older_samples_do_not_count()
    {
        var history = new PipelineHealthHistory(Options.Create(Settings));
        history.Add("orders", new PipelineSample(Now.AddSeconds(-15), 1, 10_000, 10_000, TimeSpan.FromHours(1)));
        history.Add("orders", new PipelineSample(Now, 2, 500, 150, TimeSpan.FromSeconds(50)));
        history.Add("payments", new PipelineSample(Now, 2, 400, null, TimeSpan.FromSeconds(49)));

        var report = PipelineHealthReport.Build(TestCatalogs.Default, history, Settings, Now);

        Assert.Equal(["orders", "payments", "page_views", "sensor_readings"], report.Sources.Select(s => s.Source));
        var orders = report.Sources[0];
        Assert.Equal(2, orders.Samples.Count);

        // 500 > 400 and 50 s > 49 s breach; 150 is not above 150.
        Assert.Equal(new(SpeedLag: true, ArchiverLag: false, Freshness: true), orders.Breached);

        // Equal is not above; a null (unknown) value is not a breach.
        Assert.Equal(new(SpeedLag: false, ArchiverLag: false, Freshness: false), report.Sources[1].Breached);
        Assert.Empty(report.Sources[2].Samples);
        Assert.Equal(new(SpeedLag: false, ArchiverLag: false, Freshness: false), report.Sources[2].Breached);
        Assert.Equal(new(400, 150, 49.0, 3600.0), report.Thresholds);
    }

    [Fact]
    public void The_last_recompute_is_breached_when_it_finished_longer_ago_than_the_maximum_age()
    {
        var history = new PipelineHealthHistory(Options.Create(Settings));
        var started = Now.AddHours(-2).AddMinutes(-5);
        history.SetRecompute(new RecomputeReading(Now, new BatchRun("run-9", "full", null, null, "succeeded", null, started, Now.AddHours(-2), 1, 1, null), false));

        var report = PipelineHealthReport.Build(TestCatalogs.Default, history, Settings, Now);

        var run = report.LastRecompute!;
        Assert.Equal(("run-9", "full", "succeeded"), (run.RunId, run.Mode, run.State));
        Assert.Equal(7200.0, run.AgeSeconds);
        Assert.Equal(300.0, run.DurationSeconds);
        Assert.True(run.Breached);

        // In Kappa mode no recompute runs: an old last run (from a Lambda period) is not a breach.
        Assert.False(PipelineHealthReport.Build(TestCatalogs.Default, history, Settings, Now, recomputesExpected: false).LastRecompute!.Breached);

        // A run still going is as old as its start, 30 min: within the hour.
        history.SetRecompute(new RecomputeReading(Now, new BatchRun("run-10", "incremental", null, null, "running", null, Now.AddMinutes(-30), null, 0, 0, null), false));
        run = PipelineHealthReport.Build(TestCatalogs.Default, history, Settings, Now).LastRecompute!;
        Assert.Equal((1800.0, null, false), (run.AgeSeconds, run.DurationSeconds, run.Breached));

        history.SetRecompute(new RecomputeReading(Now, null, true));
        Assert.Null(PipelineHealthReport.Build(TestCatalogs.Default, history, Settings, Now).LastRecompute);
    }
}
