using System.Globalization;
using System.Text;

namespace Lambda.Benchmarks;

/// <summary>
/// Realistic order messages (~150 bytes of UTF-8 JSON each): 20 countries, 50,000 users, 80% paid,
/// event times spread over one hour with ISO-8601 timestamps, plus one property the catalog does not declare.
/// </summary>
public static class OrderMessages
{
    public static readonly string[] Countries =
        ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CN", "CA", "AU", "ES", "IT", "NL", "SE", "PL", "MX", "KR", "ZA", "AR", "TR"];

    private static readonly string[] Statuses = ["paid", "paid", "paid", "paid", "paid", "paid", "paid", "paid", "failed", "refunded"];

    private static readonly string[] Channels = ["web", "app", "api"];

    /// <summary>Generates <paramref name="count"/> messages deterministically from <paramref name="seed"/>.</summary>
    public static byte[][] Generate(int count, int seed = 42)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        var messages = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var ts = start.AddMilliseconds(random.Next(3_600_000)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var cents = random.Next(100, 50_000);
            var json = string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"order_id":"ord-{{i:D12}}","user_id":"user-{{random.Next(50_000):D7}}","country":"{{Countries[random.Next(Countries.Length)]}}","amount":{{cents / 100}}.{{cents % 100:D2}},"status":"{{Statuses[random.Next(Statuses.Length)]}}","ts":"{{ts}}","channel":"{{Channels[random.Next(Channels.Length)]}}"}""");
            messages[i] = Encoding.UTF8.GetBytes(json);
        }

        return messages;
    }
}
