namespace Lambda.BatchLayer.Archive;

/// <summary>The latest <see cref="ArchiverLagAssessment"/> of <see cref="ArchiverLagMonitor"/>, for the health check.</summary>
public sealed class ArchiverLagState
{
    private volatile ArchiverLagAssessment? _current;

    /// <summary>The latest assessment, or null before the first.</summary>
    public ArchiverLagAssessment? Current
    {
        get => _current;
        set => _current = value;
    }
}
