using System.Globalization;
using System.Text;

namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>
/// Deterministic JSON messages for the <c>orders</c> source: event times spread over <see cref="Days"/> days
/// from <see cref="Start"/> in message order, a share of late events (hours to a day and a half older) and a
/// share of invalid messages (broken JSON, missing or mistyped fields, times out of range).
/// </summary>
internal static class OrderEvents
{
    public const int Days = 3;

    public static readonly DateTimeOffset Start = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "NL"];
    private static readonly string[] Statuses = ["paid", "paid", "paid", "paid", "paid", "paid", "failed", "refunded", "pending", "paid"];

    /// <summary>Message <paramref name="index"/> of <paramref name="total"/>; <paramref name="valid"/> says whether the parser accepts it.</summary>
    public static byte[] Create(int index, int total, int seed, out bool valid)
    {
        var random = new Random(HashCode.Combine(seed, index));
        if (index % 53 == 17)
        {
            valid = false;
            return Invalid(index, random);
        }

        valid = true;
        var span = TimeSpan.FromDays(Days).Ticks;
        var ticks = Start.Ticks + (long)((double)index / total * (span - TimeSpan.TicksPerHour)) + random.NextInt64(TimeSpan.TicksPerMinute * 5);
        if (random.Next(100) < 8)
        {
            ticks -= random.NextInt64(TimeSpan.TicksPerHour, TimeSpan.TicksPerHour * 36);
            ticks = Math.Max(ticks, Start.Ticks + random.NextInt64(TimeSpan.TicksPerHour));
        }

        var time = new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var amount = random.Next(1, 100_000) / 100m;
        var json = string.Create(CultureInfo.InvariantCulture,
            $$"""{"ts":"{{time:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}","order_id":"o-{{seed}}-{{index}}","user_id":"u{{random.Next(20_000)}}","country":"{{Countries[random.Next(Countries.Length)]}}","amount":{{amount:0.00}},"status":"{{Statuses[random.Next(Statuses.Length)]}}"}""");
        return Encoding.UTF8.GetBytes(json);
    }

    private static byte[] Invalid(int index, Random random) => Encoding.UTF8.GetBytes((index / 53 % 5) switch
    {
        0 => "{not json",
        1 => """{"ts":"2026-11-24T10:00:00Z","order_id":"x","user_id":"u1","country":"US","status":"paid"}""",
        2 => """{"ts":"2026-11-24T10:00:00Z","order_id":"x","user_id":"u1","country":"US","amount":"12.00","status":"paid"}""",
        3 => """{"ts":"1970-01-02T00:00:00Z","order_id":"x","user_id":"u1","country":"US","amount":1.00,"status":"paid"}""",
        _ => string.Create(CultureInfo.InvariantCulture, $"[{random.Next()}]"),
    });
}
