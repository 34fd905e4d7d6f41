namespace Lambda.Testing;

/// <summary>
/// Measures what a warm code path allocates on the calling thread. The runtime itself can allocate on that thread
/// once in a while, outside the code under test: when a method reaches tiered compilation's call-count threshold,
/// the thread that hit it may start the background JIT worker and allocate its managed objects (a CI run saw 632
/// bytes once). A path that allocates per call allocates in every round; the runtime's one-off does not, so the
/// smallest round is the path's own figure.
/// </summary>
public static class SteadyStateAllocation
{
    /// <summary>Runs <paramref name="round"/> <paramref name="rounds"/> times and returns the fewest bytes one run allocated.</summary>
    public static long MinimumBytesPerRound(Action round, int rounds = 5)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 2);
        var fewest = long.MaxValue;
        for (var i = 0; i < rounds; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            round();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
