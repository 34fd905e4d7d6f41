using BenchmarkDotNet.Attributes;
using Lambda.ServingLayer.Ingest;
using Lambda.Shared.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lambda.Benchmarks.Serving;

/// <summary>Splitting and validating a 10,000-event ingest body (NDJSON; 5% rejected), Kafka excluded.</summary>
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private const int Events = 10_000;
    private byte[] _body = [];
    private EventIngestor _ingestor = null!;
    private SourceDefinition _source = null!;

    [GlobalSetup]
    public void Setup()
    {
        var catalog = CatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog.yaml"));
        _source = catalog.GetSource("orders");
        _ingestor = new EventIngestor(catalog, new NoOpPublisher(), NullLogger<EventIngestor>.Instance);
        _body = ServingData.OrdersNdJson(Events);
    }

    [Benchmark(Description = "split + validate 10k events", OperationsPerInvoke = Events)]
    public async Task<IngestResult> SplitAndValidate()
    {
        if (!IngestBodyReader.TrySplit(_body, IngestFormat.NdJson, Events, out var records, out var error))
        {
            throw new InvalidOperationException(error.Message);
        }

        return await _ingestor.IngestAsync(_source, records, CancellationToken.None);
    }
}
