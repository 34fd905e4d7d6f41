using System.Net;
using System.Text.Json;
using Lambda.Shared.Catalog;
using Lambda.Testing.Oracles;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.EndToEnd;

/// <summary>
/// The oracle of the end-to-end catalog (<see cref="EndToEndCatalog"/>) and the check of a serving instance's answers
/// against it, shared by the end-to-end stack tests: the oracle is computed from the raw JSON events with the test's own
/// arithmetic (<see cref="JsonViewOracle"/>), the views' filters and the lookups' joins written out here
/// (<see cref="OracleEnrichment"/> over the rows the test published), not by the platform's parser, join and aggregator.
/// </summary>
internal static class EndToEndOracle
{
    /// <summary>Per view of <paramref name="catalog"/>, the oracle of <paramref name="orders"/> and <paramref name="payments"/>.</summary>
    public static Dictionary<string, JsonViewOracle> Build(Catalog catalog, IReadOnlyList<byte[]> orders, IReadOnlyList<byte[]> payments)
    {
        var orderOracles = new Dictionary<string, JsonViewOracle>(StringComparer.Ordinal)
        {
            ["revenue_by_country"] = new(catalog.GetView("revenue_by_country"), e => e.GetProperty("status").GetString() == "paid"),
            ["orders_by_status"] = new(catalog.GetView("orders_by_status"), _ => true),
            ["revenue_by_region"] = new(catalog.GetView("revenue_by_region"), e => e.GetProperty("status").GetString() == "paid"),
        };
        var paymentOracles = new Dictionary<string, JsonViewOracle>(StringComparer.Ordinal)
        {
            ["payments_volume_eur"] = new(catalog.GetView("payments_volume_eur"), e => e.GetProperty("succeeded").GetBoolean()),
        };
        var oracles = orderOracles.Concat(paymentOracles).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        Assert.Equal(catalog.Views.Select(v => v.Name).Order(StringComparer.Ordinal), oracles.Keys.Order(StringComparer.Ordinal));
        var countries = new OracleLookup(ReferenceRows.Countries);
        var fxRates = new OracleLookup(ReferenceRows.FxRates);
        Feed(orders.Select(o => OracleEnrichment.Order(o, countries)), orderOracles.Values);
        Feed(payments.Select(p => OracleEnrichment.Payment(p, fxRates)), paymentOracles.Values);
        return oracles;
    }

    /// <summary>
    /// Runs every query against <paramref name="serving"/> (which carries a query key), compares each answer with the
    /// oracle, adds the batch run each answer merged to <paramref name="runIds"/>, and returns the raw answers (rows only).
    /// </summary>
    public static async Task<string[]> CheckAllAsync(
        HttpClient serving, IReadOnlyList<OracleQuery> queries, Dictionary<string, JsonViewOracle> oracle, string stage, ISet<string> runIds, ITestOutputHelper output)
    {
        var answers = new string[queries.Count];
        var windowedRows = 0;
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            using var response = await serving.GetAsync($"api/views/{query.View.Name}?{query.ToQueryString()}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{stage}: {query} answered {(int)response.StatusCode}: {body}");
            using var document = JsonDocument.Parse(body);
            var rows = document.RootElement.GetProperty("rows");
            answers[i] = rows.GetRawText();
            var watermark = document.RootElement.GetProperty("watermark");
            var runId = watermark.GetProperty("run_id").GetString();
            Assert.True(runId is not null, $"{stage}: {query} was not merged with a batch view: {watermark.GetRawText()}");
            Assert.True(watermark.GetProperty("partitions").EnumerateObject().Sum(p => p.Value.GetInt64()) > 0, $"{stage}: the batch watermark is empty: {watermark.GetRawText()}");
            runIds.Add(runId);
            var expected = (query.WindowMs is { } windowMs
                    ? oracle[query.View.Name].QueryWindowed(query.FromMs, query.ToMs, query.RollUpMilliseconds!.Value, windowMs, query.GroupBy, query.Accepts)
                    : oracle[query.View.Name].Query(query.FromMs, query.ToMs, query.RollUpMilliseconds, query.GroupBy, query.Accepts))
                .ToDictionary(r => RowKey(r.Bucket, r.Dimensions), StringComparer.Ordinal);
            Assert.True(
                (document.RootElement.TryGetProperty("window", out var window) ? window.GetString() : null) == query.WindowText,
                $"{stage}: {query} echoed window {(document.RootElement.TryGetProperty("window", out var echoed) ? echoed.GetRawText() : "(none)")}");
            Assert.True(expected.Count == rows.GetArrayLength(), $"{stage}: {query}: {rows.GetArrayLength()} rows, the oracle has {expected.Count}");
            windowedRows += query.WindowMs is null ? 0 : expected.Count;
            foreach (var row in rows.EnumerateArray())
            {
                var bucket = DateTimeOffset.Parse(row.GetProperty("bucket").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                var key = RowKey(bucket, query.GroupBy.Select(d => row.GetProperty(query.View.Dimensions[d].Name).GetString() ?? JsonViewOracle.NullText).ToArray());
                Assert.True(expected.TryGetValue(key, out var expectedRow), $"{stage}: {query}: row {key} is not in the oracle");
                foreach (var measure in query.View.Measures)
                {
                    var mismatch = expectedRow.Measures[measure.Index].Mismatch(OracleActual.FromJson(row.GetProperty(measure.Name)));
                    Assert.True(mismatch is null, $"{stage}: {query}: row {key} measure {measure.Name} {mismatch}");
                }
            }
        }

        output.WriteLine($"{stage}: {queries.Count} queries ({queries.Count(q => q.WindowMs is not null)} with a sliding window, {windowedRows} windowed rows) equal the oracle");
        return answers;
    }

    private static void Feed(IEnumerable<byte[]> events, IEnumerable<JsonViewOracle> oracles)
    {
        var list = oracles.ToArray();
        foreach (var json in events)
        {
            using var document = JsonDocument.Parse(json);
            foreach (var oracle in list)
            {
                oracle.Add(document.RootElement);
            }
        }
    }

    private static string RowKey(long bucket, IReadOnlyList<string> dimensions) =>
        bucket.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + string.Join("|", dimensions);
}
