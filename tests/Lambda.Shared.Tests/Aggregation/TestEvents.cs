using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.Shared.Tests.Aggregation;

/// <summary>Random orders and "things" as JSON messages, and helpers that aggregate them.</summary>
internal static class TestEvents
{
    public const long Start = 1_764_064_800_000L; // 2025-11-25T10:00:00Z

    private static readonly string[] Countries = ["US", "DE", "FR", "JP", "BR", "Ελλάδα"];
    private static readonly string[] Statuses = ["paid", "paid", "paid", "failed", "refunded"];

    public static string Order(int orderId, int user, int country, int status, long cents, long offsetMs, bool isoTime) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"order_id":"o-{{orderId}}","user_id":"u-{{user}}","country":"{{Countries[country % Countries.Length]}}","amount":{{cents / 100}}.{{cents % 100:D2}},"status":"{{Statuses[status % Statuses.Length]}}","ts":{{(isoTime ? $"\"{TimeBucket.ToIso(Start + offsetMs)}\"" : (Start + offsetMs).ToString(CultureInfo.InvariantCulture))}}}""");

    public static string Thing(int s, long l, int d, long mUnscaled, bool b, long offsetMs) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"s":"s{{s}}","l":{{l}},"d":{{d}},"m":{{mUnscaled / 1000}}.{{Math.Abs(mUnscaled % 1000):D3}},"b":{{(b ? "true" : "false")}},"t":{{Start - offsetMs}},"ts":{{Start + offsetMs}}}""")
            .Replace("\"m\":0.", mUnscaled < 0 ? "\"m\":-0." : "\"m\":0.", StringComparison.Ordinal);

    public static Gen<string> Orders { get; } =
        from id in Gen.Choose(0, 1_000_000)
        from user in Gen.Choose(0, 400)
        from country in Gen.Choose(0, 5)
        from status in Gen.Choose(0, 4)
        from cents in Gen.Choose(0, 5_000_000)
        from offset in Gen.Choose(0, 3 * 3_600_000)
        from iso in Gen.Elements(true, false)
        select Order(id, user, country, status, cents, offset, iso);

    public static Gen<string> Things { get; } =
        from s in Gen.Choose(0, 20)
        from l in Gen.Choose(-5, 5)
        from d in Gen.Choose(-1000, 1000)
        from m in Gen.Choose(-999_999, 999_999)
        from b in Gen.Elements(true, false)
        from offset in Gen.Choose(0, 7_200_000)
        select Thing(s, l, d, m, b, offset);

    public static ViewAggregator Aggregate(ViewDefinition view, IEnumerable<string> messages, Granularity? granularity = null)
    {
        var aggregator = new ViewAggregator(view, granularity);
        var parser = new EventParser(view.Source);
        var record = parser.CreateRecord();
        foreach (var message in messages)
        {
            if (!parser.TryParse(Encoding.UTF8.GetBytes(message), record, out var rejection))
            {
                throw new InvalidOperationException($"{rejection.Message}: {message}");
            }

            aggregator.Add(record);
        }

        return aggregator;
    }

    public static string[] RandomOrders(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => Order(i, random.Next(2_000), random.Next(6), random.Next(5), random.Next(10_000_000), random.Next(6 * 3_600_000), random.Next(2) == 0))
            .ToArray();
    }
}
