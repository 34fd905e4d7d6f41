using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Lookups;
using Lambda.SpeedLayer.DeadLetters;
using Lambda.SpeedLayer.Lookups;
using Lambda.SpeedLayer.Metrics;
using Lambda.SpeedLayer.Pipeline;
using Lambda.SpeedLayer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Lookups;

/// <summary>The speed layer's side of lookups: it joins the versions it polled and dead-letters a missed dead_letter lookup.</summary>
public sealed class SpeedLookupTests : IDisposable
{
    private static readonly LambdaCatalog Catalog = CatalogLoader.Parse("""
        lookups:
          fx:
            key: { currency: string }
            valid_from: day
            values: { rate: "decimal(18,4)" }
            on_missing: dead_letter
        sources:
          pay:
            topic: pay-lookups
            time: ts
            fields: { currency: string, amount: "decimal(18,2)" }
            enrich:
              - { lookup: fx, key: [currency] }
            derive:
              eur: amount * rate
        views:
          eur:
            source: pay
            granularity: hour
            measures: { n: count, eur: sum(eur) }
          plain:
            source: pay
            granularity: hour
            measures: { n: count }
        """);

    private readonly string _root = Directory.CreateTempSubdirectory("speed-lookups-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_missed_dead_letter_lookup_is_dead_lettered_as_lookup_missing_until_the_refresher_brings_a_row()
    {
        var store = new FileLookupStore(_root, TimeProvider.System);
        var fx = Catalog.Lookups[0];
        await store.PublishAsync(fx, LookupRowsReader.FromCsv(fx, "currency,valid_from,rate\nEUR,2026-01-01,1\n"), default);
        var refresher = new LookupRefresher(Catalog, store, Options.Create(new SpeedLayerOptions()), NullLogger<LookupRefresher>.Instance, TimeProvider.System);
        await refresher.StartAsync(default);
        await refresher.StopAsync(default);
        var deadLetters = new FakeDeadLetterSink();
        var metrics = new SpeedLayerMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var pipeline = new SpeedPipeline(Catalog, deadLetters, new SpeedLayerOptions(), metrics, new FakeTimeProvider(), lookups: refresher);
        pipeline.Assign(new PartitionResume("pay-lookups", 0, [null, null]));

        var usd = Encoding.UTF8.GetBytes("""{"ts":"2026-02-01T10:00:00Z","currency":"USD","amount":10.00}""");
        var eur = Encoding.UTF8.GetBytes("""{"ts":"2026-02-01T10:00:00Z","currency":"EUR","amount":10.00}""");
        Assert.Equal(ProcessOutcome.Accepted, pipeline.Process("pay-lookups", 0, 0, default, usd));
        Assert.Equal(ProcessOutcome.Accepted, pipeline.Process("pay-lookups", 0, 1, default, eur));
        var letter = Assert.Single(deadLetters.Letters);
        Assert.Equal((0L, RejectionReason.LookupMissing, "fx"), (letter.Offset, letter.Rejection.Reason, letter.Rejection.Field));
        Assert.Equal("lookup_missing", KafkaDeadLetterSink.ReasonText(letter.Rejection.Reason));

        // A new version (USD from 2026-01-15) is taken up at the next poll; the next USD event joins it.
        await store.PublishAsync(fx, LookupRowsReader.FromCsv(fx, "currency,valid_from,rate\nEUR,2026-01-01,1\nUSD,2026-01-15,0.9\n"), default);
        Assert.True(await refresher.RefreshAsync(default));
        Assert.Equal(2L, refresher.Current.Versions["fx"]);
        Assert.False(await refresher.RefreshAsync(default));
        Assert.Equal(ProcessOutcome.Accepted, pipeline.Process("pay-lookups", 0, 2, default, usd));
        Assert.Single(deadLetters.Letters);

        // Before the row's valid_from the key still has no row at the event's time.
        var early = Encoding.UTF8.GetBytes("""{"ts":"2026-01-14T23:59:59Z","currency":"USD","amount":10.00}""");
        pipeline.Process("pay-lookups", 0, 3, default, early);
        Assert.Equal(2, deadLetters.Letters.Count);
    }
}
