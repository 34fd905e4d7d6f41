using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Json;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Tests.Querying;
using Lambda.ServingLayer.Tests.Support;
using Lambda.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.ServingLayer.Tests.Json;

public sealed class ViewQueryResultWriterTests
{
    [Fact]
    public async Task The_body_has_the_contracts_shape_with_exact_decimals_and_the_watermark()
    {
        var view = TestCatalogs.RevenueByCountry;
        var events = ViewQueryEngineTests.Numbered(
            (0, Orders.Create(0, "US", 246.60m, "u1")), (0, Orders.Create(0, "US", 99.00m, "u2")), (1, Orders.Create(1, "DE", 5.00m, "u1")));
        var speed = new FakeSpeedViewReader();
        speed.FlushAll(view, events, _ => [1]);
        var batch = new FakeBatchViewStore();
        batch.Publish(view, "20261125T0300Z", new Dictionary<int, long> { [0] = 1 }, events);
        var query = Queries.Parse(TestCatalogs.Default, view.Name, "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&granularity=hour");
        var result = await new ViewQueryEngine(batch, speed, NullLogger<ViewQueryEngine>.Instance, coverageReader: speed).ExecuteAsync(query, CancellationToken.None);

        var json = await WriteAsync(result);

        Assert.Equal(
            "{\"view\":\"revenue_by_country\",\"granularity\":\"hour\",\"rows\":["
            + "{\"bucket\":\"2026-11-25T10:00:00Z\",\"country\":\"DE\",\"orders\":1,\"revenue\":5.00,\"biggest\":5.00,\"buyers\":1},"
            + "{\"bucket\":\"2026-11-25T10:00:00Z\",\"country\":\"US\",\"orders\":2,\"revenue\":345.60,\"biggest\":246.60,\"buyers\":2}],"
            + "\"watermark\":{\"run_id\":\"20261125T0300Z\",\"published_at\":\"2026-11-25T10:00:00Z\",\"definition_hash\":\"" + view.DefinitionHash + "\","
            + "\"partitions\":{\"0\":1},\"speed\":{\"0\":2,\"1\":1}},"

            // Partition 0 from the batch view below S_0 = 1, partition 1 from its first speed flush at offset 0.
            + "\"complete\":true,\"complete_from\":{\"0\":0,\"1\":0}}",
            json);
    }

    [Fact]
    public async Task Averages_are_numbers_and_empty_results_have_no_rows()
    {
        var view = TestCatalogs.Default.GetView("orders_by_status");
        var events = ViewQueryEngineTests.Numbered((0, Orders.Create(0, "US", 1.00m)), (0, Orders.Create(1, "US", 2.00m)), (0, Orders.Create(2, "US", 2.00m)));
        var speed = new FakeSpeedViewReader();
        speed.FlushAll(view, events, _ => []);
        var engine = new ViewQueryEngine(new FakeBatchViewStore(), speed, NullLogger<ViewQueryEngine>.Instance);

        var json = await WriteAsync(await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z"), CancellationToken.None));
        var empty = await WriteAsync(await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, "from=2026-11-26T10:00:00Z&to=2026-11-26T11:00:00Z"), CancellationToken.None));

        var row = JsonDocument.Parse(json).RootElement.GetProperty("rows")[0];
        Assert.Equal(1.666667m, Math.Round(row.GetProperty("avg_amount").GetDecimal(), 6));
        Assert.Contains("\"amount\":5.00,\"avg_amount\":1.666667,", json, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, row.GetProperty("customers").ValueKind);
        Assert.Empty(JsonDocument.Parse(empty).RootElement.GetProperty("rows").EnumerateArray());
        Assert.Contains("\"run_id\":null", empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quantiles_are_objects_of_percentiles_default_or_asked_for()
    {
        var view = TestCatalogs.Default.GetView("order_amounts");
        var events = ViewQueryEngineTests.Numbered(
            Enumerable.Range(1, 100).Select(i => (i % 3, Orders.Create(i % 60, "US", i, "u" + i))).ToArray());
        var speed = new FakeSpeedViewReader();
        speed.FlushAll(view, events, _ => [1]);
        var engine = new ViewQueryEngine(new FakeBatchViewStore(), speed, NullLogger<ViewQueryEngine>.Instance);
        const string range = "from=2026-11-25T10:00:00Z&to=2026-11-25T11:00:00Z&group_by=";

        var defaults = JsonDocument.Parse(await WriteAsync(await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, range), CancellationToken.None)));
        var chosen = JsonDocument.Parse(await WriteAsync(await engine.ExecuteAsync(Queries.Parse(TestCatalogs.Default, view.Name, range + "&quantiles=0.5,0.999"), CancellationToken.None)));

        // Exact lower quantiles of 1..100 are 50, 90, 95, 99 (and 99 for p99.9): the answers are within 1 % of them.
        var amount = defaults.RootElement.GetProperty("rows")[0].GetProperty("amount");
        Assert.Equal(["p50", "p90", "p95", "p99"], amount.EnumerateObject().Select(p => p.Name));
        foreach (var (name, exact) in new[] { ("p50", 50.0), ("p90", 90.0), ("p95", 95.0), ("p99", 99.0) })
        {
            Assert.InRange(amount.GetProperty(name).GetDouble(), exact * 0.99, exact * 1.01);
        }

        var asked = chosen.RootElement.GetProperty("rows")[0].GetProperty("amount");
        Assert.Equal(["p50", "p99.9"], asked.EnumerateObject().Select(p => p.Name));
        Assert.InRange(asked.GetProperty("p99.9").GetDouble(), 99 * 0.99, 99 * 1.01);
    }

    private static async Task<string> WriteAsync(ViewQueryResult result)
    {
        using var stream = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(stream, ViewQueryResultWriter.WriterOptions))
        {
            await ViewQueryResultWriter.WriteAsync(writer, result, CancellationToken.None);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
