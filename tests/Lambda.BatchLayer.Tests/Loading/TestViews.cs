using System.Globalization;
using System.Text;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.BatchLayer.Tests.Loading;

/// <summary>Order events and real view groups (aggregated from parsed events) for the tests.</summary>
internal static class TestViews
{
    /// <summary>An order event as JSON.</summary>
    public static string Order(DateTimeOffset ts, string country, decimal amount, string user, string status = "paid") =>
        string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"ts":"{{ts.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}","order_id":"{{Guid.NewGuid():N}}","user_id":"{{user}}","country":"{{country}}","amount":{{amount}},"status":"{{status}}"}""");

    /// <summary>Parses <paramref name="events"/> (JSON) and aggregates them into <paramref name="view"/>'s groups, sorted.</summary>
    public static IReadOnlyList<ViewGroup> Aggregate(ViewDefinition view, IEnumerable<string> events)
    {
        var parser = new EventParser(view.Source);
        var aggregator = new ViewAggregator(view);
        foreach (var json in events)
        {
            if (!parser.TryParse(Encoding.UTF8.GetBytes(json), out var record, out var rejection))
            {
                throw new InvalidOperationException($"test event rejected: {rejection}: {json}");
            }

            aggregator.Add(record);
        }

        return aggregator.GetSortedGroups();
    }

    /// <summary>
    /// Orders for one day: <paramref name="count"/> paid orders spread over the day's minutes and
    /// countries (amounts 1.00, 1.01, ...), plus one failed order the view filters out.
    /// </summary>
    public static List<string> PaidOrders(DateOnly day, int count, int seed = 0)
    {
        string[] countries = ["US", "DE", "FR", "JP"];
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var events = new List<string>(count + 1);
        for (var i = 0; i < count; i++)
        {
            var at = start.AddMinutes((i * 7 + seed) % 1440).AddSeconds(i % 60);
            events.Add(Order(at, countries[(i + seed) % countries.Length], 1m + (i % 100) / 100m, $"u{(i + seed) % 37}"));
        }

        events.Add(Order(start.AddHours(12), "US", 999m, "failed-user", "failed"));
        return events;
    }
}
