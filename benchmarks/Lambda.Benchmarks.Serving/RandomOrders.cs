using System.Globalization;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Benchmarks.Serving;

/// <summary>Random orders for the realistic load: 100,000 users, 20 countries, amounts up to 1,000.00, 80% paid.</summary>
internal sealed class RandomOrders(SourceDefinition source, int seed)
{
    private readonly Random _random = new(seed);
    private readonly int _orderId = source.GetField("order_id").Ordinal;
    private readonly int _userId = source.GetField("user_id").Ordinal;
    private readonly int _country = source.GetField("country").Ordinal;
    private readonly int _amount = source.GetField("amount").Ordinal;
    private readonly int _status = source.GetField("status").Ordinal;

    /// <summary>Paid orders created so far (the ones <c>revenue_by_country</c> counts).</summary>
    public long Paid { get; private set; }

    /// <summary>An order with id <paramref name="id"/> at a random instant in [start, start + span).</summary>
    public EventRecord Create(string id, DateTimeOffset start, TimeSpan span)
    {
        var record = new EventRecord(source);
        record.SetTimestamp(start.AddMilliseconds(_random.NextInt64((long)span.TotalMilliseconds)));
        record.SetString(_orderId, id);
        record.SetString(_userId, "u" + _random.Next(100_000).ToString(CultureInfo.InvariantCulture));
        record.SetString(_country, "C" + _random.Next(20).ToString(CultureInfo.InvariantCulture));
        record.SetDecimal(_amount, _random.Next(1, 100_000) / 100m);
        var paid = _random.Next(10) < 8;
        record.SetString(_status, paid ? "paid" : "failed");
        Paid += paid ? 1 : 0;
        return record;
    }
}
