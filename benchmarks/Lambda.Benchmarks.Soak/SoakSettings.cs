namespace Lambda.Benchmarks.Soak;

/// <summary>What the soak does and where the platform is (command-line options).</summary>
internal sealed record SoakSettings
{
    /// <summary>How long events are sent.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Events per second sent.</summary>
    public required int Rate { get; init; }

    /// <summary>Event times are drawn uniformly from [now - spread, now]; zero: now.</summary>
    public required TimeSpan Spread { get; init; }

    /// <summary>Events per ingest request.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Most ingest requests in flight.</summary>
    public required int MaxInFlight { get; init; }

    /// <summary>Time between two recomputes triggered through the admin API (zero: none during the run).</summary>
    public required TimeSpan RecomputeEvery { get; init; }

    /// <summary>Time between two samples (a table row).</summary>
    public required TimeSpan SampleEvery { get; init; }

    /// <summary>How long the end waits for the API to count every event sent, and for the final recompute.</summary>
    public required TimeSpan SettleTimeout { get; init; }

    /// <summary>The verdict fails when a service's RSS exceeds this many MiB.</summary>
    public required long MaxRssMiB { get; init; }

    /// <summary>The verdict fails when the speed or archiver lag (messages, summed over partitions) exceeds this.</summary>
    public required long MaxLag { get; init; }

    /// <summary>Where the platform is.</summary>
    public required SoakEndpoints Endpoints { get; init; }
}
