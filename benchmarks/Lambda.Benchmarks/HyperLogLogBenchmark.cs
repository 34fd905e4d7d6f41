using BenchmarkDotNet.Attributes;
using Lambda.Shared.Measures;

namespace Lambda.Benchmarks;

/// <summary>
/// Adds <see cref="Registers"/> random hashes into a new distinct-count sketch, as a view's group fills one between two
/// flushes: the sparse form's insert cost (up to <see cref="HyperLogLog.SparseLimit"/> registers) and the switch to dense.
/// </summary>
[MemoryDiagnoser]
public class HyperLogLogBenchmark
{
    private ulong[] _hashes = [];

    /// <summary>Hashes added per sketch.</summary>
    [Params(50, 1_000, 4_000)]
    public int Registers { get; set; }

    /// <summary>Random hashes (fixed seed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _hashes = Enumerable.Range(0, Registers).Select(_ => (ulong)random.NextInt64()).ToArray();
    }

    /// <summary>One sketch filled; the operation is one add.</summary>
    [Benchmark]
    public HyperLogLog FillSketch()
    {
        var sketch = new HyperLogLog();
        foreach (var hash in _hashes)
        {
            sketch.AddHash(hash);
        }

        return sketch;
    }
}
