using System.Globalization;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// The machine's CPU time, busy and in all, from the first line of <c>/proc/stat</c>: whether a phase was bound by the
/// cores (busy near all of them) or by something it waited for. Null where it cannot be read.
/// </summary>
internal readonly record struct MachineCpu(long Busy, long Total)
{
    public static MachineCpu? Read()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var ticks = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();

            // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
            var total = ticks.Take(8).Sum();
            return new MachineCpu(total - ticks[3] - ticks[4], total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The share of all cores busy between <paramref name="from"/> and <paramref name="to"/> (0–1).</summary>
    public static double? BusyShare(MachineCpu? from, MachineCpu? to) =>
        from is { } a && to is { } b && b.Total > a.Total ? (double)(b.Busy - a.Busy) / (b.Total - a.Total) : null;
}
