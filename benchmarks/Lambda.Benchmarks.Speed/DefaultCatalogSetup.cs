using System.Text.RegularExpressions;
using Lambda.Shared.Catalog;
using Lambda.Shared.Lookups;
using Lambda.Testing;

namespace Lambda.Benchmarks.Speed;

/// <summary>
/// The repository's default catalog (<c>shared/catalog.yaml</c>, every view) pointed at the benchmark's own topics, and
/// its lookups published into a dataset root of the benchmark's, as <c>PUT /api/admin/lookups/{name}</c> would.
/// </summary>
internal static partial class DefaultCatalogSetup
{
    /// <summary><c>countries</c> for every country of <see cref="OrderEvents"/> but KE (its orders get a null region).</summary>
    public const string CountriesCsv = """
        country,region,currency
        DE,europe,EUR
        FR,europe,EUR
        NL,europe,EUR
        ES,europe,EUR
        IT,europe,EUR
        SE,europe,SEK
        PL,europe,PLN
        GB,europe,GBP
        US,north_america,USD
        CA,north_america,CAD
        MX,north_america,MXN
        BR,south_america,BRL
        IN,asia,INR
        JP,asia,JPY
        AU,oceania,AUD

        """;

    /// <summary><c>fx_rates</c> versioned by day, USD and GBP changed on several days; JPY has none.</summary>
    public const string FxRatesCsv = """
        currency,valid_from,rate_to_eur
        EUR,2020-01-01,1.0000
        USD,2020-01-01,0.9200
        USD,2026-06-01,0.9150
        USD,2026-12-01,0.9230
        GBP,2020-01-01,1.1700
        GBP,2026-11-15,1.1650

        """;

    /// <summary>The default catalog's YAML with each source's topic replaced by <paramref name="topics"/>[source].</summary>
    public static (string Yaml, Catalog Catalog) Load(IReadOnlyDictionary<string, string> topics)
    {
        var yaml = TopicLine().Replace(
            File.ReadAllText(Path.Combine(RepositoryPaths.Root, "shared", "catalog.yaml")),
            m => topics.TryGetValue(m.Groups["topic"].Value, out var topic) ? m.Groups["indent"].Value + "topic: " + topic : m.Value);
        var catalog = CatalogLoader.Parse(yaml);
        foreach (var source in catalog.Sources)
        {
            if (!topics.TryGetValue(source.Name, out var topic) || source.Topic != topic)
            {
                throw new InvalidOperationException($"source '{source.Name}' of the default catalog reads topic '{source.Topic}', not a benchmark topic: give it one");
            }
        }

        return (yaml, catalog);
    }

    /// <summary>
    /// For comparison, two views of the same shape with and without the joins: paid orders per minute by country (or by
    /// <c>region</c> from <c>countries</c>) with count, sum and distinct buyers, and succeeded payments per hour by method
    /// with count and sum of <c>amount</c> (or of <c>amount_eur: amount * rate_to_eur</c> from <c>fx_rates</c>).
    /// </summary>
    public static string PairYaml(IReadOnlyDictionary<string, string> topics, bool joined) => $$"""
        {{(joined ? Lookups : "")}}
        sources:
          orders:
            topic: {{topics["orders"]}}
            time: ts
            key: user_id
            fields: { order_id: string, user_id: string, country: string, amount: "decimal(18,2)", status: string }
            {{(joined ? "enrich: [ { lookup: countries, key: [country], fields: [region] } ]" : "")}}
          payments:
            topic: {{topics["payments"]}}
            time: ts
            key: order_id
            fields: { payment_id: string, order_id: string, user_id: string, method: string, currency: string, amount: "decimal(18,2)", succeeded: bool, latency_ms: long }
            {{(joined ? "enrich: [ { lookup: fx_rates, key: [currency] } ]" : "")}}
            {{(joined ? "derive: { amount_eur: amount * rate_to_eur }" : "")}}
        views:
          pair_orders:
            source: orders
            where: status = 'paid'
            granularity: minute
            dimensions: [{{(joined ? "region" : "country")}}]
            measures: { orders: count, revenue: sum(amount), buyers: distinct(user_id) }
          pair_payments:
            source: payments
            where: succeeded = true
            granularity: hour
            dimensions: [method]
            measures: { payments: count, volume: sum({{(joined ? "amount_eur" : "amount")}}) }
        """;

    private const string Lookups = "lookups: { countries: { key: { country: string }, values: { region: string, currency: string } }, "
        + "fx_rates: { key: { currency: string }, valid_from: day, values: { rate_to_eur: \"decimal(18,4)\" } } }";

    /// <summary>Publishes <c>countries</c> and <c>fx_rates</c> as version 1 under <paramref name="datasetRoot"/>.</summary>
    public static async Task PublishLookupsAsync(Catalog catalog, string datasetRoot, CancellationToken cancellationToken)
    {
        var store = new FileLookupStore(datasetRoot, TimeProvider.System);
        foreach (var (name, csv) in new[] { ("countries", CountriesCsv), ("fx_rates", FxRatesCsv) })
        {
            if (!catalog.TryGetLookup(name, out var lookup))
            {
                throw new InvalidOperationException($"the default catalog has no lookup '{name}'");
            }

            await store.PublishAsync(lookup, LookupRowsReader.FromCsv(lookup, csv), cancellationToken);
        }
    }

    [GeneratedRegex(@"^(?<indent>[ ]+)topic:[ ]*(?<topic>[a-z_]+)[ ]*$", RegexOptions.Multiline)]
    private static partial Regex TopicLine();
}
