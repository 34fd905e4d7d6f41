using System.Globalization;
using System.Text;

namespace Lambda.Benchmarks.Speed;

/// <summary>Order events like the platform's reference source (about 150 bytes of JSON each), event time = now.</summary>
internal sealed class OrderEvents(int seed)
{
    private static readonly string[] Countries = ["DE", "FR", "US", "JP", "BR", "IN", "NL", "SE", "ES", "IT", "PL", "KE", "GB", "CA", "MX", "AU"];
    private static readonly string[] Statuses = ["paid", "paid", "paid", "failed", "refunded"];
    private readonly Random _random = new(seed);

    public byte[] Next(long index)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var amount = (_random.Next(100, 500_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        var user = _random.Next(200_000).ToString(CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"ts":{{now}},"order_id":"o-{{index}}","user_id":"u-{{user}}","country":"{{Countries[_random.Next(Countries.Length)]}}","amount":{{amount}},"status":"{{Statuses[_random.Next(Statuses.Length)]}}"}"""));
    }
}
