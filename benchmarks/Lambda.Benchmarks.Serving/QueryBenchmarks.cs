using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Json;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Requests;
using Lambda.Shared.Catalog;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lambda.Benchmarks.Serving;

/// <summary>
/// A day of revenue_by_country (72,000 minute groups: 63,000 from the batch view, 6,000 speed deltas plus late events)
/// merged and rolled up per minute, hour and all, and per minute with sliding windows of 15 and 60 minutes
/// (<c>window=</c>: the difference to plain "minute" is the slide), then written as the API's JSON.
/// </summary>
[MemoryDiagnoser]
public class QueryBenchmarks
{
    private ServingData _data = null!;
    private ViewQueryEngine _engine = null!;
    private ViewQuery _query = null!;
    private ViewQueryResult _result = null!;

    [Params("minute", "hour", "all", "minute/15m", "minute/60m")]
    public string Granularity { get; set; } = "minute";

    [GlobalSetup]
    public void Setup()
    {
        _data = new ServingData(CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml")));
        _engine = new ViewQueryEngine(_data.BatchStore(), _data.SpeedStore(), NullLogger<ViewQueryEngine>.Instance);
        var parser = new ViewQueryParser(_data.Catalog, Options.Create(new ServingOptions()));
        var (granularity, window) = Granularity.Split('/') is [var g, var w] ? (g, w) : (Granularity, null);
        var request = new ViewQueryRequest { View = _data.View.Name, From = "2026-11-25", To = "2026-11-26", Granularity = granularity, Window = window };
        if (!parser.TryCreateQuery(request, out var query, out var error))
        {
            throw new InvalidOperationException(error.Message);
        }

        _query = query;
        _result = _engine.ExecuteAsync(_query, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "merge + roll-up")]
    public Task<ViewQueryResult> Merge() => _engine.ExecuteAsync(_query, CancellationToken.None);

    [Benchmark(Description = "write JSON")]
    public async Task WriteJson()
    {
        await using var writer = new Utf8JsonWriter(Stream.Null, ViewQueryResultWriter.WriterOptions);
        await ViewQueryResultWriter.WriteAsync(writer, _result, CancellationToken.None);
    }
}
