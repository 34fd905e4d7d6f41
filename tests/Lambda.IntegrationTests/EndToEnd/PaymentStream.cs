using System.Globalization;
using System.Text;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// A reproducible stream of <c>payments</c> events (JSON, as producers send them) over the three UTC days of
/// <see cref="OrderStream"/>, with its split: the first two thirds in days 1-2, the last third in day 3 except
/// <see cref="OrderStream.LateShare"/> of it, which is late (day 1).
/// </summary>
internal static class PaymentStream
{
    public static readonly string[] Methods = ["card", "paypal", "bank_transfer"];

    /// <summary>Currencies: see <see cref="ReferenceRows.FxRates"/> for which have a rate when (JPY never has one).</summary>
    public static readonly string[] Currencies = ["EUR", "USD", "USD", "GBP", "CHF", "JPY"];

    public static IReadOnlyList<byte[]> Generate(int count, int seed) =>
        Generate(count, seed, (random, i) =>
        {
            const long dayMs = 86_400_000L;
            return i < count * 2 / 3
                ? random.NextInt64(2 * dayMs)
                : random.NextDouble() < OrderStream.LateShare ? random.NextInt64(dayMs) : 2 * dayMs + random.NextInt64(dayMs);
        });

    /// <summary>
    /// <paramref name="count"/> payments whose event time is <see cref="OrderStream.Start"/> plus what
    /// <paramref name="offsetOf"/> draws for payment i (milliseconds).
    /// </summary>
    public static IReadOnlyList<byte[]> Generate(int count, int seed, Func<Random, int, long> offsetOf)
    {
        var random = new Random(seed);
        var events = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var ts = OrderStream.Start.AddMilliseconds(offsetOf(random, i)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var amount = (random.Next(1, 200_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
            var succeeded = random.Next(10) < 8 ? "true" : "false";
            var json = $$"""{"ts":"{{ts}}","payment_id":"p{{seed}}-{{i}}","user_id":"u{{random.Next(5000)}}","method":"{{Methods[random.Next(Methods.Length)]}}","currency":"{{Currencies[random.Next(Currencies.Length)]}}","amount":{{amount}},"succeeded":{{succeeded}}}""";
            events[i] = Encoding.UTF8.GetBytes(json);
        }

        return events;
    }
}
