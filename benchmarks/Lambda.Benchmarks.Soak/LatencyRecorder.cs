using HdrHistogram;

namespace Lambda.Benchmarks.Soak;

/// <summary>Ingest request latencies in microseconds: one histogram per sample window and one over the whole run.</summary>
internal sealed class LatencyRecorder
{
    private const long Highest = 600_000_000; // 10 minutes
    private readonly Lock _lock = new();
    private readonly LongHistogram _total = new(Highest, 3);
    private LongHistogram _window = new(Highest, 3);

    public void Record(TimeSpan latency)
    {
        var micros = Math.Clamp((long)latency.TotalMicroseconds, 1, Highest);
        lock (_lock)
        {
            _window.RecordValue(micros);
            _total.RecordValue(micros);
        }
    }

    /// <summary>p50 and p99 in ms of the window since the previous call (null without requests), and starts a new window.</summary>
    public (double? P50, double? P99) TakeWindow()
    {
        lock (_lock)
        {
            var window = _window;
            _window = new LongHistogram(Highest, 3);
            return Percentiles(window);
        }
    }

    /// <summary>p50 and p99 in ms over the run.</summary>
    public (double? P50, double? P99) Total()
    {
        lock (_lock)
        {
            return Percentiles(_total);
        }
    }

    private static (double?, double?) Percentiles(LongHistogram histogram) =>
        histogram.TotalCount == 0 ? (null, null) : (histogram.GetValueAtPercentile(50) / 1000.0, histogram.GetValueAtPercentile(99) / 1000.0);
}
