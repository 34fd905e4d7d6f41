using Lambda.ServingLayer.Querying;
using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Benchmarks.Serving;

/// <summary>
/// One day of <c>revenue_by_country</c> at minute granularity for 50 countries: a batch view covering the first 22 hours
/// (63,000 groups) and speed deltas for the last 2 hours in flushes of 10 minutes (6,000 groups over 12 flushes, plus
/// late events landing in early buckets).
/// </summary>
internal sealed class ServingData
{
    public const int Countries = 50;
    public static readonly DateTimeOffset Day = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public ServingData(Lambda.Shared.Catalog.Catalog catalog)
    {
        Catalog = catalog;
        View = catalog.GetView("revenue_by_country");
        var batch = new ViewAggregator(View);
        var speed = new List<IReadOnlyList<ViewGroup>>();
        var flush = new ViewAggregator(View);
        var record = new EventRecord(View.Source);
        for (var minute = 0; minute < 24 * 60; minute++)
        {
            for (var c = 0; c < Countries; c++)
            {
                Fill(record, minute, c, minute * 7 + c);
                (minute < 22 * 60 ? batch : flush).Add(record);
                if (minute >= 22 * 60 && c == 0)
                {
                    // A late event: an old bucket, a new offset.
                    Fill(record, minute - (22 * 60), c, minute);
                    flush.Add(record);
                }
            }

            if (minute >= 22 * 60 && minute % 10 == 9)
            {
                speed.Add(flush.Drain());
            }
        }

        BatchGroups = batch.Drain();
        SpeedFlushes = speed;
    }

    public Lambda.Shared.Catalog.Catalog Catalog { get; }

    public ViewDefinition View { get; }

    public IReadOnlyList<ViewGroup> BatchGroups { get; }

    public IReadOnlyList<IReadOnlyList<ViewGroup>> SpeedFlushes { get; }

    public IBatchViewStore BatchStore() => new PrebuiltBatchStore(View, BatchGroups);

    public ISpeedViewReader SpeedStore() => new PrebuiltSpeedStore(SpeedFlushes.SelectMany(f => f).ToArray());

    /// <summary>An NDJSON body of <paramref name="count"/> orders (one in 20 invalid).</summary>
    public static byte[] OrdersNdJson(int count)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var amount = i % 20 == 0 ? "\"bad\"" : (i % 1000 / 10m + 0.05m).ToString(System.Globalization.CultureInfo.InvariantCulture);
            sb.Append(System.FormattableString.Invariant(
                $"{{\"ts\":\"2026-11-25T10:{i % 60:00}:07.123Z\",\"order_id\":\"o-{i}\",\"user_id\":\"user-{i % 997}\",\"country\":\"C{i % Countries}\",\"amount\":{amount},\"status\":\"paid\"}}\n"));
        }

        return System.Text.Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void Fill(EventRecord record, int minute, int country, int user)
    {
        var source = record.Source;
        record.Reset();
        record.SetTimestamp(Day.AddMinutes(minute).AddSeconds(30));
        record.SetString(source.GetField("order_id").Ordinal, "o");
        record.SetString(source.GetField("user_id").Ordinal, "user-" + (user % 5000));
        record.SetString(source.GetField("country").Ordinal, "C" + country);
        record.SetDecimalUnscaled(source.GetField("amount").Ordinal, 1000 + user % 9000);
        record.SetString(source.GetField("status").Ordinal, "paid");
    }
}
