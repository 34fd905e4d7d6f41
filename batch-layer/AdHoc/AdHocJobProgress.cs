namespace Lambda.BatchLayer.AdHoc;

/// <summary>The latest progress DuckDB reported for a running job, read by the job's poll loop (any thread may write it).</summary>
internal sealed class AdHocJobProgress : IProgress<AdHocProgress>
{
    private double _percent;

    /// <summary>The latest percentage, 0–100.</summary>
    public double Percent => Volatile.Read(ref _percent);

    /// <inheritdoc />
    public void Report(AdHocProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Volatile.Write(ref _percent, Math.Clamp(value.Percent, 0, 100));
    }
}
