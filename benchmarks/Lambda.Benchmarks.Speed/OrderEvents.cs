using System.Globalization;
using System.Text;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// Order events like the platform's reference source (about 150 bytes of JSON each), event time = now, or with
/// <paramref name="spreadDays"/> &gt; 0 uniformly within that many days before now (a backfill or a replay: every flush
/// then holds groups of many buckets).
/// </summary>
internal sealed class OrderEvents(int seed, double spreadDays = 0)
{
    private readonly long _spreadMs = (long)(spreadDays * 86_400_000);

    private static readonly string[] Countries = ["DE", "FR", "US", "JP", "BR", "IN", "NL", "SE", "ES", "IT", "PL", "KE", "GB", "CA", "MX", "AU"];
    private static readonly string[] Statuses = ["paid", "paid", "paid", "failed", "refunded"];
    private readonly Random _random = new(seed);

    public byte[] Next(long index)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (_spreadMs > 0 ? _random.NextInt64(_spreadMs) : 0);
        var amount = (_random.Next(100, 500_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        var user = _random.Next(200_000).ToString(CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"ts":{{now}},"order_id":"o-{{index}}","user_id":"u-{{user}}","country":"{{Countries[_random.Next(Countries.Length)]}}","amount":{{amount}},"status":"{{Statuses[_random.Next(Statuses.Length)]}}"}"""));
    }
}
