using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.BatchLayer.Tests.BatchViews;

/// <summary>Random complete events of the all-types <c>things</c> source.</summary>
internal static class ThingsEvents
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 22, 0, 0, TimeSpan.Zero);

    /// <summary><paramref name="count"/> events over four hours from <see cref="Start"/> (crossing midnight), some with negative longs.</summary>
    public static IReadOnlyList<EventRecord> Create(SourceDefinition source, int count, int seed)
    {
        var random = new Random(seed);
        var events = new List<EventRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var record = new EventRecord(source);
            record.SetTimestamp(Start.AddMilliseconds(random.NextInt64(4 * 3_600_000L)));
            record.SetString(0, $"s{random.Next(4)}");
            record.SetLong(1, random.Next(-5, 40));
            record.SetDouble(2, Math.Round((random.NextDouble() * 200) - 50, 3));
            record.SetDecimalUnscaled(3, random.NextInt64(-1_000_000, 9_999_999));
            record.SetBool(4, random.Next(2) == 1);
            record.SetTimestamp(5, Start.AddSeconds(random.Next(-100_000, 100_000)));
            events.Add(record);
        }

        return events;
    }
}
