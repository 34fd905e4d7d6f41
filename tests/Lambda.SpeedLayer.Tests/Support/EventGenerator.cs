using System.Globalization;
using System.Text;
using Lambda.Shared.Events;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// Deterministic events for <see cref="TestCatalog"/>: valid JSON events spread over a few hours of event
/// time, and, at a given rate, malformed messages of every kind with the rejection reason they must get.
/// </summary>
internal sealed class EventGenerator(int seed, double malformedRate = 0.01)
{
    private static readonly string[] Countries = ["DE", "FR", "US", "JP", "BR", "IN", "NL", "SE", "ES", "IT", "PL", "KE"];
    private static readonly string[] Statuses = ["paid", "paid", "paid", "failed", "refunded", "pending"];
    private static readonly long BaseTime = new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private readonly Random _random = new(seed);

    /// <summary>Event <paramref name="index"/>: its bytes and, for a malformed one, the reason it must be rejected with.</summary>
    public GeneratedEvent Next(long index)
    {
        if (_random.NextDouble() < malformedRate)
        {
            return Malformed(index);
        }

        return new GeneratedEvent(Encoding.UTF8.GetBytes(ValidJson(index)), null, UserOf(index));
    }

    private static string UserOf(long index) => "u" + ((index * 7919) % 5000).ToString(CultureInfo.InvariantCulture);

    private string ValidJson(long index)
    {
        var ts = BaseTime + (index * 37) % (4 * 3_600_000L) + _random.Next(0, 1000);
        var time = _random.Next(3) == 0
            ? ts.ToString(CultureInfo.InvariantCulture)
            : "\"" + DateTimeOffset.FromUnixTimeMilliseconds(ts).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "\"";
        var amount = (_random.Next(1, 2_000_000) / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        var price = (_random.Next(-50_000, 900_000) / 1000m).ToString("0.000", CultureInfo.InvariantCulture);
        var latency = Math.Round(_random.NextDouble() * 4, 1).ToString("R", CultureInfo.InvariantCulture);
        var shipped = (ts + _random.Next(0, 86_400_000)).ToString(CultureInfo.InvariantCulture);
        var country = Countries[_random.Next(Countries.Length)];
        var status = Statuses[_random.Next(Statuses.Length)];
        var quantity = _random.Next(1, 6);
        var premium = _random.Next(4) == 0 ? "true" : "false";
        return $$"""{"ts":{{time}},"order_id":"o{{index}}","user_id":"{{UserOf(index)}}","country":"{{country}}","status":"{{status}}","amount":{{amount}},"price":{{price}},"quantity":{{quantity}},"premium":{{premium}},"latency":{{latency}},"shipped":{{shipped}},"note":"x"}""";
    }

    private GeneratedEvent Malformed(long index)
    {
        var valid = ValidJson(index);
        var (text, reason) = _random.Next(9) switch
        {
            0 => (valid[..(valid.Length / 2)], RejectionReason.NotJson),
            1 => ("[" + valid + "]", RejectionReason.NotAnObject),
            2 => (valid.Replace("\"status\":", "\"state\":", StringComparison.Ordinal), RejectionReason.MissingField),
            3 => (valid.Replace("\"quantity\":", "\"quantity\":\"many\",\"was\":", StringComparison.Ordinal), RejectionReason.WrongType),
            4 => (ReplaceNumber(valid, "amount", "12.345"), RejectionReason.ValueOutOfRange),
            5 => (ReplaceTime(valid, "\"yesterday\""), RejectionReason.InvalidTime),
            6 => (ReplaceTime(valid, "\"1999-12-31T23:59:59Z\""), RejectionReason.TimeOutOfRange),
            7 => (valid.Replace("\"country\":", "\"country\":\"DE\",\"country\":", StringComparison.Ordinal), RejectionReason.DuplicateField),
            _ => (string.Empty, RejectionReason.NotJson),
        };
        return new GeneratedEvent(Encoding.UTF8.GetBytes(text), reason, UserOf(index));
    }

    private static string ReplaceNumber(string json, string field, string value)
    {
        var start = json.IndexOf($"\"{field}\":", StringComparison.Ordinal) + field.Length + 3;
        var end = json.IndexOf(',', start);
        return json[..start] + value + json[end..];
    }

    private static string ReplaceTime(string json, string value) => ReplaceNumber(json, "ts", value);
}
