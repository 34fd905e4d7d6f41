using System.Globalization;

namespace Lambda.Benchmarks.Soak;

/// <summary>
/// Orders of the default catalog's <c>orders</c> source with values no other producer uses: countries
/// <c>soak&lt;run&gt;-c0..7</c> and, for the 30% that are not paid, statuses <c>soak&lt;run&gt;-s0..2</c>. A paid order
/// counts in <c>revenue_by_country</c> under its country; another in <c>orders_by_status</c> under its status. Event
/// times are uniform in [now - spread, now].
/// </summary>
internal sealed class OrderGenerator(string runTag, TimeSpan spread, TimeProvider time)
{
    private const int Countries = 8;
    private const int Statuses = 3;
    private readonly Random _random = new();
    private long _sequence;

    /// <summary>The groups of <paramref name="view"/> this run writes.</summary>
    public IReadOnlyList<string> Groups(SoakView view) => view == SoakView.RevenueByCountry
        ? [.. Enumerable.Range(0, Countries).Select(Country)]
        : [.. Enumerable.Range(0, Statuses).Select(Status)];

    public SoakOrder Next()
    {
        var now = time.GetUtcNow();
        var ts = spread == TimeSpan.Zero ? now : now - TimeSpan.FromTicks((long)(_random.NextDouble() * spread.Ticks));
        var amount = _random.Next(100, 100_000) / 100m;
        var country = Country(_random.Next(Countries));
        var paid = _random.NextDouble() < 0.7;
        var status = paid ? "paid" : Status(_random.Next(Statuses));
        var json = string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"ts":"{{ts.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}","order_id":"soak{{runTag}}-{{Interlocked.Increment(ref _sequence)}}","user_id":"soak{{runTag}}-u{{_random.Next(10_000)}}","country":"{{country}}","amount":{{amount:0.00}},"status":"{{status}}"}""");
        return paid ? new SoakOrder(json, SoakView.RevenueByCountry, country, amount) : new SoakOrder(json, SoakView.OrdersByStatus, status, amount);
    }

    private string Country(int i) => string.Create(CultureInfo.InvariantCulture, $"soak{runTag}-c{i}");

    private string Status(int i) => string.Create(CultureInfo.InvariantCulture, $"soak{runTag}-s{i}");
}
