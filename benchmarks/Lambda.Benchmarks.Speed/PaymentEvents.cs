using System.Globalization;
using System.Text;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// Payment events like the default catalog's <c>payments</c> source (about 200 bytes of JSON each), event time = now;
/// currencies those of <see cref="DefaultCatalogSetup.FxRatesCsv"/>, one (JPY) without a rate.
/// </summary>
internal sealed class PaymentEvents(int seed)
{
    private static readonly string[] Methods = ["card", "card", "paypal", "bank_transfer", "apple_pay"];
    private static readonly string[] Currencies = ["EUR", "EUR", "USD", "USD", "GBP", "JPY"];
    private readonly Random _random = new(seed);

    public byte[] Next(long index)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var amount = (_random.Next(100, 500_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"ts":{{now}},"payment_id":"p-{{index}}","order_id":"o-{{_random.Next(1_000_000)}}","user_id":"u-{{_random.Next(200_000)}}","method":"{{Methods[_random.Next(Methods.Length)]}}","currency":"{{Currencies[_random.Next(Currencies.Length)]}}","amount":{{amount}},"succeeded":{{(_random.Next(10) < 9 ? "true" : "false")}},"latency_ms":{{_random.Next(20, 3_000)}}}"""));
    }
}
