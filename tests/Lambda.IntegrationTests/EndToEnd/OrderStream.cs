using System.Globalization;
using System.Text;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// A reproducible stream of <c>orders</c> events (JSON, as producers send them) over three UTC days: the first two
/// thirds fall in days 1-2, the last third in day 3 except <see cref="LateShare"/> of it, which is late (day 1).
/// </summary>
internal static class OrderStream
{
    public const double LateShare = 0.15;

    private const long DayMilliseconds = 86_400_000L;

    public static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Countries, one with a quote and one with a comma, so filters and SQL literals get escaped.</summary>
    public static readonly string[] Countries = ["US", "DE", "FR", "GB", "JP", "BR", "C'IV", "A,B"];

    public static readonly string[] Statuses = ["paid", "paid", "paid", "paid", "paid", "paid", "paid", "failed", "failed", "refunded"];

    public static IReadOnlyList<byte[]> Generate(int count, int seed) =>
        Generate(count, seed, (random, i) => i < count * 2 / 3
            ? random.NextInt64(2 * DayMilliseconds)
            : random.NextDouble() < LateShare ? random.NextInt64(DayMilliseconds) : 2 * DayMilliseconds + random.NextInt64(DayMilliseconds));

    /// <summary>Events whose times are spread uniformly over <paramref name="days"/> UTC days from <see cref="Start"/>.</summary>
    public static IReadOnlyList<byte[]> GenerateOverDays(int count, int seed, int days) =>
        Generate(count, seed, (random, _) => random.NextInt64(days * DayMilliseconds));

    private static byte[][] Generate(int count, int seed, Func<Random, int, long> offsetOf)
    {
        var random = new Random(seed);
        var events = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var offsetMs = offsetOf(random, i);
            var ts = Start.AddMilliseconds(offsetMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var amount = (random.Next(1, 100_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
            var country = Countries[random.Next(Countries.Length)].Replace("'", "\\u0027", StringComparison.Ordinal);
            var json = $$"""{"ts":"{{ts}}","order_id":"o{{i}}","user_id":"u{{random.Next(5000)}}","country":"{{country}}","amount":{{amount}},"status":"{{Statuses[random.Next(Statuses.Length)]}}"}""";
            events[i] = Encoding.UTF8.GetBytes(json);
        }

        return events;
    }
}
