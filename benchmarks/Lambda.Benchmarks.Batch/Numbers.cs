namespace Lambda.Benchmarks.Batch;

/// <summary>The exact numbers of one group compared between the engine and DuckDB: count, sum and (where the view has it) max of amount.</summary>
internal readonly record struct Numbers(long Count, decimal Sum, decimal? Max)
{
    public static string Key(string view, long bucket, string dimension) => $"{view}|{bucket}|{dimension}";
}
