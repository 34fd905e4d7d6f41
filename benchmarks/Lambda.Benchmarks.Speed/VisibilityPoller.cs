using System.Diagnostics;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// Asks ClickHouse, every poll interval, up to which offset each partition is visible in ALL the given views
/// (the minimum of their max last_offset), and reports every newly visible offset with the time it was seen.
/// </summary>
internal sealed class VisibilityPoller(IClickHouseClient clickHouse, IReadOnlyList<ViewDefinition> views, int partitions, TimeSpan interval)
{
    private readonly long[] _visible = Enumerable.Repeat(-1L, partitions).ToArray();
    private readonly Dictionary<string, IReadOnlyDictionary<int, long>> _stored = new(StringComparer.Ordinal);

    /// <summary>Total offsets visible over all partitions.</summary>
    public long VisibleCount => _visible.Sum(v => v + 1);

    /// <summary>
    /// Polls until <paramref name="done"/> says so; calls <paramref name="onVisible"/>(partition, fromOffset, toOffset, seenAtTimestamp)
    /// for each partition whose visible offset moved.
    /// </summary>
    public async Task RunAsync(Func<bool> done, Action<int, long, long, long> onVisible, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (!done() && await timer.WaitForNextTickAsync(cancellationToken))
        {
            var current = Enumerable.Repeat(long.MaxValue, partitions).ToArray();
            foreach (var view in views)
            {
                var stored = await MaxOffsetsAsync(view, cancellationToken);
                for (var p = 0; p < partitions; p++)
                {
                    current[p] = Math.Min(current[p], stored.TryGetValue(p, out var max) ? max : -1);
                }
            }

            var seen = Stopwatch.GetTimestamp();
            for (var p = 0; p < partitions; p++)
            {
                if (current[p] > _visible[p])
                {
                    onVisible(p, _visible[p] + 1, current[p], seen);
                    _visible[p] = current[p];
                }
            }
        }
    }

    /// <summary>
    /// Per partition, the largest last_offset in the view's speed table (none before the speed layer created it), read
    /// from the previous poll's positions on, as the platform's own progress readers do: a poll reads the newest flushes,
    /// not the table, so the poller does not load ClickHouse more as the table grows.
    /// </summary>
    private async Task<IReadOnlyDictionary<int, long>> MaxOffsetsAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        var since = _stored.GetValueOrDefault(view.Name);
        var stored = await SpeedTableQueries.ReadMaxOffsetsAsync(clickHouse, SpeedTableSchema.For(view), since, cancellationToken);
        _stored[view.Name] = stored;
        return stored;
    }
}
