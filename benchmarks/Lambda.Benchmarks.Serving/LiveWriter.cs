extern alias speedlayer;

using System.Globalization;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.SpeedViews;
using speedlayer::Lambda.SpeedLayer.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.Benchmarks.Serving;

/// <summary>
/// Stores speed flushes while the load runs, as the speed layer would: every 100 ms one flush per partition, with
/// the partition's next offsets, of orders timed in the last three hours before <c>end</c> (live data, a few late).
/// </summary>
internal sealed class LiveWriter(ViewDefinition view, IClickHouseClient client, DateTimeOffset end, long firstOffset, int eventsPerSecond)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private long _flushes;
    private long _events;
    private long _paid;

    /// <summary>Flushes stored so far.</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Events in those flushes.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>The paid ones among them (the orders <c>revenue_by_country</c> counts).</summary>
    public long Paid => Interlocked.Read(ref _paid);

    /// <summary>Writes until <paramref name="cancellationToken"/> is cancelled; a flush under way is finished.</summary>
    public async Task RunAsync(int partitions, CancellationToken cancellationToken)
    {
        var store = new ClickHouseSpeedTableWriter(client, NullLogger<ClickHouseSpeedTableWriter>.Instance);
        var orders = new RandomOrders(view.Source, seed: 2);
        var perFlush = Math.Max(1, eventsPerSecond / partitions / 10);
        var next = Enumerable.Repeat(firstOffset, partitions).ToArray();
        using var timer = new PeriodicTimer(Interval);
        long sequence = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var deltas = new List<SpeedPartitionDelta>(partitions);
            for (var p = 0; p < partitions; p++)
            {
                var flush = new ViewAggregator(view);
                for (var i = 0; i < perFlush; i++)
                {
                    var record = orders.Create("live" + (sequence++).ToString(CultureInfo.InvariantCulture), end.AddHours(-3), TimeSpan.FromHours(3));
                    flush.Add(record);
                }

                deltas.Add(new SpeedPartitionDelta(p, next[p], next[p] + perFlush - 1, flush.Drain()));
                next[p] += perFlush;
            }

            await store.InsertAsync(view, deltas, DateTime.UtcNow, CancellationToken.None);
            Interlocked.Increment(ref _flushes);
            Interlocked.Add(ref _events, (long)perFlush * partitions);
            Interlocked.Exchange(ref _paid, orders.Paid);
            try
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
