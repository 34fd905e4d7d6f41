using System.Buffers;
using System.Text.Json;

namespace Lambda.DemoGenerator.Generators;

/// <summary>
/// Builds plausible orders, payments and page views. Distributions are skewed on purpose (a few big
/// countries, a long tail of users) so the dashboards look like real traffic.
/// </summary>
public sealed class DemoEventFactory
{
    private static readonly string[] Countries = ["US", "DE", "GB", "FR", "IN", "BR", "JP", "NL", "ES", "IT", "CA", "AU", "PL", "SE", "MX"];
    private static readonly string[] Statuses = ["paid", "paid", "paid", "paid", "paid", "paid", "paid", "failed", "refunded", "pending"];
    private static readonly string[] Methods = ["card", "card", "card", "paypal", "bank_transfer", "apple_pay"];
    private static readonly string[] Currencies = ["USD", "EUR", "GBP"];
    private static readonly string[] Devices = ["desktop", "mobile", "mobile", "tablet", "bot"];
    private static readonly string[] Urls = ["/", "/search", "/product/1", "/product/2", "/product/3", "/cart", "/checkout", "/help"];

    private readonly Random _random;
    private readonly DemoGeneratorOptions _options;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private long _sequence;

    /// <summary>Creates a factory with the given settings and random source.</summary>
    public DemoEventFactory(DemoGeneratorOptions options, Random random)
    {
        _options = options;
        _random = random;
    }

    /// <summary>Generates one order and the events that go with it (a payment, page views).</summary>
    public IEnumerable<DemoEvent> NextOrder(DateTimeOffset now)
    {
        var seq = Interlocked.Increment(ref _sequence);
        var ts = EventTime(now);
        var orderId = $"o-{seq}";
        var userId = $"u-{SkewedIndex(50_000)}";
        var country = Countries[SkewedIndex(Countries.Length)];
        var status = Statuses[_random.Next(Statuses.Length)];
        var amount = Math.Round((decimal)(_random.NextDouble() * 200 + 1), 2);

        if (_random.NextDouble() < _options.MalformedShare)
        {
            // Amount as a word: the speed layer sends it to orders.dlq with the reason.
            yield return new DemoEvent("orders", userId, Json(w =>
            {
                w.WriteString("ts", ts);
                w.WriteString("order_id", orderId);
                w.WriteString("user_id", userId);
                w.WriteString("country", country);
                w.WriteString("amount", "twelve");
                w.WriteString("status", status);
            }));
            yield break;
        }

        yield return new DemoEvent("orders", userId, Json(w =>
        {
            w.WriteString("ts", ts);
            w.WriteString("order_id", orderId);
            w.WriteString("user_id", userId);
            w.WriteString("country", country);
            w.WriteNumber("amount", amount);
            w.WriteString("status", status);
        }));

        yield return new DemoEvent("payments", orderId, Json(w =>
        {
            w.WriteString("ts", ts.AddMilliseconds(_random.Next(50, 2000)));
            w.WriteString("payment_id", $"p-{seq}");
            w.WriteString("order_id", orderId);
            w.WriteString("user_id", userId);
            w.WriteString("method", Methods[_random.Next(Methods.Length)]);
            w.WriteString("currency", Currencies[SkewedIndex(Currencies.Length)]);
            w.WriteNumber("amount", amount);
            w.WriteBoolean("succeeded", status != "failed");
            w.WriteNumber("latency_ms", (long)(40 + (-Math.Log(1 - _random.NextDouble()) * 120)));
        }));

        for (var i = 0; i < _options.PageViewsPerOrder; i++)
        {
            var sessionId = $"s-{userId}-{seq / 10}";
            yield return new DemoEvent("page_views", sessionId, Json(w =>
            {
                w.WriteString("ts", ts.AddSeconds(-_random.Next(0, 300)));
                w.WriteString("session_id", sessionId);
                w.WriteString("user_id", userId);
                w.WriteString("url", Urls[SkewedIndex(Urls.Length)]);
                w.WriteString("country", country);
                w.WriteString("device", Devices[_random.Next(Devices.Length)]);
                w.WriteNumber("duration_ms", (long)(-Math.Log(1 - _random.NextDouble()) * 15_000));
            }));
        }
    }

    private DateTimeOffset EventTime(DateTimeOffset now) =>
        _random.NextDouble() < _options.LateShare
            ? now - TimeSpan.FromMilliseconds(_random.NextDouble() * _options.MaxLateness.TotalMilliseconds)
            : now;

    // Zipf-like: low indexes are much more frequent than high ones.
    private int SkewedIndex(int count) => (int)Math.Min(count - 1, Math.Floor(count * Math.Pow(_random.NextDouble(), 2.5)));

    private byte[] Json(Action<Utf8JsonWriter> body)
    {
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return _buffer.WrittenSpan.ToArray();
    }
}
