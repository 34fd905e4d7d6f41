using Lambda.Shared.Events;
using Lambda.Shared.Time;
using Lambda.Testing;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Builds events of the default catalog's <c>orders</c> source.</summary>
internal static class Orders
{
    /// <summary>2026-11-25T10:00:00Z.</summary>
    public static readonly DateTimeOffset BaseTime = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    /// <summary>An order <paramref name="minute"/> minutes (plus <paramref name="second"/> s) after <see cref="BaseTime"/>.</summary>
    public static EventRecord Create(int minute, string country, decimal amount, string user = "u1", string status = "paid", int second = 7)
    {
        var source = TestCatalogs.Orders;
        var record = new EventRecord(source);
        record.SetTimestamp(BaseTime.AddMinutes(minute).AddSeconds(second));
        record.SetString(source.GetField("order_id").Ordinal, $"o-{minute}-{country}-{amount}-{user}");
        record.SetString(source.GetField("user_id").Ordinal, user);
        record.SetString(source.GetField("country").Ordinal, country);
        record.SetDecimal(source.GetField("amount").Ordinal, amount);
        record.SetString(source.GetField("status").Ordinal, status);
        return record;
    }

    /// <summary>The order as the JSON a producer would send.</summary>
    public static string Json(int minute, string country, decimal amount, string user = "u1", string status = "paid") =>
        System.FormattableString.Invariant(
            $$"""{"ts":"{{TimeBucket.ToIso(BaseTime.AddMinutes(minute).AddSeconds(7).ToUnixTimeMilliseconds())}}","order_id":"o-{{minute}}","user_id":"{{user}}","country":"{{country}}","amount":{{amount}},"status":"{{status}}"}""");

    /// <summary>Epoch ms of <see cref="BaseTime"/> plus <paramref name="minutes"/>.</summary>
    public static long At(int minutes) => BaseTime.AddMinutes(minutes).ToUnixTimeMilliseconds();
}
