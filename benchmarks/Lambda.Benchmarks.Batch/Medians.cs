namespace Lambda.Benchmarks.Batch;

/// <summary>The one median the benchmark's figures use (the upper middle of an even count).</summary>
internal static class Medians
{
    public static double Of(IReadOnlyCollection<double> values) => values.Order().ElementAt(values.Count / 2);
}
