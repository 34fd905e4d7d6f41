using System.Globalization;
using System.Net;
using System.Text.Json;
using Lambda.IntegrationTests.EndToEnd;
using Lambda.Shared.Catalog;
using Lambda.Testing;
using Lambda.Testing.Oracles;
using Xunit.Abstractions;

namespace Lambda.IntegrationTests.Lookups;

/// <summary>
/// A back-dated reference change on the local stack, the built services in child processes, with the end-to-end test's
/// catalog (<see cref="EndToEndCatalog"/>, its view <c>payments_volume_eur</c>): <c>fx_rates</c> version 1 is
/// published through the admin API, payments over three days are counted by the speed layer and recomputed by the batch
/// layer; then version 2 changes the USD rates of days 2 and 3 (valid_from in the past, for days already archived and
/// below the batch watermark) and more payments arrive on days 1 and 3 (late ones included). The README's rule
/// ("Back-dated changes") is checked through the API against an oracle that joins the rows itself
/// (<see cref="OracleEnrichment"/>): before the next recompute the batch days answer with version 1 and the new speed
/// deltas with version 2 (what each layer joined), and <c>GET /api/admin/batch/status</c> lists days 2 and 3 under
/// <c>lookup_redo</c>; after it every day uses version 2, day 2 (which got no new payment) included, and every payment
/// is counted once.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Stack)]
public sealed class BackdatedLookupStackTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Partitions = 4;
    private const int FirstCount = 3_000;
    private const int SecondCount = 1_500;
    private const string Key = "backdated-key";
    private const string View = "payments_volume_eur";
    private const long DayMs = 86_400_000L;
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(120);

    /// <summary>Version 2: the USD rows valid from days 2 and 3 change; everything else stays.</summary>
    private static readonly IReadOnlyList<OracleLookupRow> FxRatesV2 = ReferenceRows.FxRates
        .Select(r => r.Key == "USD" && r.ValidFrom == new DateOnly(2026, 3, 2) ? ReferenceRows.Rate("USD", "2026-03-02", "0.9500")
            : r.Key == "USD" && r.ValidFrom == new DateOnly(2026, 3, 3) ? ReferenceRows.Rate("USD", "2026-03-03", "0.8800")
            : r)
        .ToArray();

    private PlatformRig _rig = null!;
    private HttpClient _serving = null!;
    private ViewDefinition _view = null!;

    public async Task InitializeAsync()
    {
        _rig = await PlatformRig.CreateAsync("backdated", Partitions, EndToEndCatalog.Sources, EndToEndCatalog.Yaml, TimeSpan.FromSeconds(30));
        _view = CatalogLoader.LoadFile(_rig.CatalogPath).GetView(View);
    }

    public async Task DisposeAsync()
    {
        _serving?.Dispose();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task Before_the_next_recompute_each_layer_answers_with_what_it_joined_and_after_it_every_archived_day_uses_the_new_rows()
    {
        var v1 = new OracleLookup(ReferenceRows.FxRates);
        var v2 = new OracleLookup(FxRatesV2);
        var first = PaymentStream.Generate(FirstCount, seed: 1101, (random, _) => random.NextInt64(3 * DayMs));

        // Days 1 (late) and 3 only: day 2 changes after the recompute only because of the redo.
        var second = PaymentStream.Generate(SecondCount, seed: 1102, (random, _) => (random.Next(2) == 0 ? 0 : 2 * DayMs) + random.NextInt64(DayMs));

        var environment = _rig.Environment();
        var port = FreePort.Next();
        _rig.StartServing(port, new Dictionary<string, string[]> { [Key] = ["query", "admin"] });
        _serving = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        _serving.DefaultRequestHeaders.Add("X-Api-Key", Key);
        await PlatformRig.Eventually(HealthyAsync, "the serving layer to answer /healthz", Convergence, () => _rig.Services[0].Tail);
        Assert.Equal(1, await PlatformRig.PublishLookupAsync(_serving, "fx_rates", "text/csv", ReferenceRows.FxRatesCsv(ReferenceRows.FxRates)));

        var speed = _rig.Start("speed-layer", "Lambda.SpeedLayer", [], new(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["SpeedLayer__GroupId"] = $"backdated-speed-{_rig.RunId}",

            // The line "Lookup fx_rates: joining version 2" tells the test when the speed layer holds version 2.
            ["Logging__LogLevel__Lambda.SpeedLayer.Lookups"] = "Information",
        });
        _rig.Start("batch-layer", "Lambda.BatchLayer", ["archive"], new(environment)
        {
            ["Batch__Archiver__ConsumerGroupPrefix"] = $"backdated-archiver-{_rig.RunId}",
            ["Batch__Archiver__FlushInterval"] = "00:00:01",
        });

        var produced = await _rig.ProduceAsync(Partitions, first, "payments");
        var firstV1 = Oracle((first, v1));
        await WaitForAnswerAsync(firstV1, runId: null, "version 1, speed layer only");
        await WaitForArchiveAsync(produced);
        await RecomputeAsync(environment);
        var firstRun = await WaitForAnswerAsync(firstV1, runId: "", "version 1, the batch view of the first payments");

        Assert.Equal(2, await PlatformRig.PublishLookupAsync(_serving, "fx_rates", "text/csv", ReferenceRows.FxRatesCsv(FxRatesV2)));
        await PlatformRig.Eventually(() => Task.FromResult(speed.HasWritten("Lookup fx_rates: joining version 2")), "the speed layer to hold fx_rates version 2", Convergence, () => speed.Tail);

        // What the next recompute will redo: every published day from the earliest changed row on (day 2), at or below the watermark.
        Assert.Equal(["2026-03-02", "2026-03-03"], await LookupRedoAsync());

        var more = await _rig.ProduceAsync(Partitions, second, "payments");
        var documented = Oracle((first, v1), (second, v2));
        var allV2 = Oracle((first, v2), (second, v2));
        Assert.False(SameDailyRows(documented, allV2), "version 2 must change what the batch days answer");
        Assert.False(SameDailyRows(documented, Oracle((first, v1), (second, v1))), "version 2 must change what the new speed deltas answer");
        await WaitForAnswerAsync(documented, runId: firstRun, "after the back-dated publish, before the next recompute (batch days: version 1, new speed deltas: version 2)");
        Assert.Equal(["2026-03-02", "2026-03-03"], await LookupRedoAsync());

        await WaitForArchiveAsync(produced.Zip(more, Math.Max).ToArray());
        await RecomputeAsync(environment);
        var secondRun = await WaitForAnswerAsync(allV2, runId: "", "after the next recompute (every day: version 2)", notRunId: firstRun);
        Assert.NotEqual(firstRun, secondRun);
        Assert.Empty(await LookupRedoAsync());
    }

    /// <summary>An oracle of the view over the payments of each part, each joined with its table.</summary>
    private JsonViewOracle Oracle(params (IReadOnlyList<byte[]> Payments, OracleLookup FxRates)[] parts)
    {
        var oracle = new JsonViewOracle(_view, e => e.GetProperty("succeeded").GetBoolean());
        foreach (var (payments, fxRates) in parts)
        {
            foreach (var payment in payments)
            {
                oracle.Add(OracleEnrichment.Payment(payment, fxRates));
            }
        }

        return oracle;
    }

    /// <summary>True when the two oracles give the same daily payments and volume per method and currency.</summary>
    private static bool SameDailyRows(JsonViewOracle a, JsonViewOracle b) => Daily(a).SetEquals(Daily(b));

    private static HashSet<string> Daily(JsonViewOracle oracle)
    {
        var from = OrderStream.Start.ToUnixTimeMilliseconds();
        return oracle.Query(from, from + (3 * DayMs), DayMs, [0, 1], _ => true)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{Row(r.Bucket, r.Dimensions[0], r.Dimensions[1])}|{r.Measures[0].Count}|{r.Measures[1].DecimalSum}"))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Polls the API's daily rows by method and currency until they equal <paramref name="expected"/> and the answer was
    /// merged with the batch run <paramref name="runId"/> (null: none; empty: any other than <paramref name="notRunId"/>);
    /// returns the run id.
    /// </summary>
    private async Task<string?> WaitForAnswerAsync(JsonViewOracle expected, string? runId, string stage, string? notRunId = null)
    {
        var from = OrderStream.Start.ToUnixTimeMilliseconds();
        var rows = expected.Query(from, from + (3 * DayMs), DayMs, [0, 1], _ => true)
            .ToDictionary(r => Row(r.Bucket, r.Dimensions[0], r.Dimensions[1]), StringComparer.Ordinal);
        var last = "";
        var mismatch = "";
        string? answeredRun = null;
        await PlatformRig.Eventually(
            async () =>
            {
                foreach (var service in _rig.Services)
                {
                    service.EnsureRunning();
                }

                using var response = await _serving.GetAsync($"api/views/{View}?from=2026-03-01T00:00:00Z&to=2026-03-04T00:00:00Z&granularity=day&group_by=method,currency");
                last = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    mismatch = $"status {(int)response.StatusCode}";
                    return false;
                }

                using var document = JsonDocument.Parse(last);
                var run = document.RootElement.GetProperty("watermark").GetProperty("run_id");
                answeredRun = run.ValueKind == JsonValueKind.String ? run.GetString() : null;
                if (runId is null ? answeredRun is not null : runId.Length > 0 ? answeredRun != runId : answeredRun is null || answeredRun == notRunId)
                {
                    mismatch = $"merged with run {answeredRun ?? "(none)"}";
                    return false;
                }

                mismatch = Compare(document.RootElement.GetProperty("rows"), rows) ?? "";
                return mismatch.Length == 0;
            },
            stage,
            Convergence,
            () => $"{mismatch}\nlast answer: {last}\n" + string.Join("\n", _rig.Services.Select(s => $"--- {s.Name}:\n{s.Tail}")));
        output.WriteLine($"{stage}: {rows.Count} daily rows equal the oracle (run {answeredRun ?? "none"})");
        return answeredRun;
    }

    private string? Compare(JsonElement answered, Dictionary<string, OracleRow> expected)
    {
        if (answered.GetArrayLength() != expected.Count)
        {
            return $"{answered.GetArrayLength()} rows, the oracle has {expected.Count}";
        }

        foreach (var row in answered.EnumerateArray())
        {
            var bucket = DateTimeOffset.Parse(row.GetProperty("bucket").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            var key = Row(bucket, row.GetProperty("method").GetString()!, row.GetProperty("currency").GetString()!);
            if (!expected.TryGetValue(key, out var oracle))
            {
                return $"row {key} is not in the oracle";
            }

            foreach (var measure in _view.Measures)
            {
                if (oracle.Measures[measure.Index].Mismatch(OracleActual.FromJson(row.GetProperty(measure.Name))) is { } mismatch)
                {
                    return $"row {key} {measure.Name} {mismatch}";
                }
            }
        }

        return null;
    }

    private static string Row(long bucket, string method, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.FromUnixTimeMilliseconds(bucket):yyyy-MM-dd}|{method}|{currency}");

    /// <summary>The days <c>GET /api/admin/batch/status</c> lists under <c>lookup_redo</c> for the view.</summary>
    private async Task<string[]> LookupRedoAsync()
    {
        using var response = await _serving.GetAsync("api/admin/batch/status");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"batch status answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("lookup_redo", out var redo) && redo.ValueKind == JsonValueKind.Object && redo.TryGetProperty(View, out var days)
            ? days.EnumerateArray().Select(d => d.GetString()!).ToArray()
            : [];
    }

    private async Task<bool> HealthyAsync()
    {
        _rig.Services[0].EnsureRunning();
        try
        {
            using var response = await _serving.GetAsync("healthz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private Task WaitForArchiveAsync(long[] produced) =>
        PlatformRig.Eventually(
            () =>
            {
                var archived = _rig.ArchivedEnds("payments");
                return Task.FromResult(Enumerable.Range(0, Partitions).All(p => archived.GetValueOrDefault(p) >= produced[p]));
            },
            "the archive to hold every produced payment",
            Convergence);

    private async Task RecomputeAsync(Dictionary<string, string> environment)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await ServiceProcess.RunToEndAsync(Path.Combine(RepositoryPaths.Root, "batch-layer"), "Lambda.BatchLayer", ["recompute"], environment, TimeSpan.FromSeconds(180));
        output.WriteLine($"recompute took {started.Elapsed.TotalSeconds:F1} s");
    }
}
