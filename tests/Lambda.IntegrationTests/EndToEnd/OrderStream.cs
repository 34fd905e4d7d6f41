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

    public static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Countries, one with a quote and one with a comma, so filters and SQL literals get escaped.</summary>
    public static readonly string[] Countries = ["US", "DE", "FR", "GB", "JP", "BR", "C'IV", "A,B"];

    public static readonly string[] Statuses = ["paid", "paid", "paid", "paid", "paid", "paid", "paid", "failed", "failed", "refunded"];

    public static IReadOnlyList<byte[]> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var events = new byte[count][];
        var firstPart = count * 2 / 3;
        const long dayMs = 86_400_000L;
        for (var i = 0; i < count; i++)
        {
            long offsetMs = i < firstPart
                ? random.NextInt64(2 * dayMs)
                : random.NextDouble() < LateShare ? random.NextInt64(dayMs) : 2 * dayMs + random.NextInt64(dayMs);
            var ts = Start.AddMilliseconds(offsetMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var amount = (random.Next(1, 100_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
            var country = Countries[random.Next(Countries.Length)].Replace("'", "\\u0027", StringComparison.Ordinal);
            var json = $$"""{"ts":"{{ts}}","order_id":"o{{i}}","user_id":"u{{random.Next(5000)}}","country":"{{country}}","amount":{{amount}},"status":"{{Statuses[random.Next(Statuses.Length)]}}"}""";
            events[i] = Encoding.UTF8.GetBytes(json);
        }

        return events;
    }
}
