namespace Lambda.Benchmarks.Speed;

/// <summary>What the benchmark does (command-line options).</summary>
internal sealed record SpeedBenchmarkSettings
{
    /// <summary>Events produced as fast as possible for the sustained-throughput phase.</summary>
    public required long ThroughputEvents { get; init; }

    /// <summary>Partitions of the throughput topic (the dev broker keeps ~4 MiB per partition: the backlog must fit).</summary>
    public required int ThroughputPartitions { get; init; }

    /// <summary>Steady production rate of the freshness phase, events/s.</summary>
    public required int FreshnessRate { get; init; }

    /// <summary>How long the freshness phase produces.</summary>
    public required TimeSpan FreshnessDuration { get; init; }

    /// <summary>Events of the freshness phase's first seconds left out of the percentiles (start-up of the pacing).</summary>
    public required TimeSpan FreshnessWarmup { get; init; }

    /// <summary>Partitions of the freshness topic.</summary>
    public required int FreshnessPartitions { get; init; }

    /// <summary>Event times spread uniformly over this many days before now (0: all now).</summary>
    public double SpreadDays { get; init; }

    /// <summary>How often ClickHouse is asked what is visible (the resolution of the freshness figures).</summary>
    public required TimeSpan PollInterval { get; init; }

    /// <summary>
    /// With <c>--catalog-vs-plain</c>: how often ClickHouse is asked what is visible of the backlog (the end time's
    /// resolution, which can only make the rate look lower). Each ask reads every view's speed table twice, and those
    /// reads take ClickHouse's CPU from the layer. Default 500 ms.
    /// </summary>
    public TimeSpan BacklogPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>With <c>--catalog-vs-plain</c>: speed-layer processes in one consumer group for the default catalog. Default 1.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>Extra environment for the speed-layer process (KEY=VALUE), e.g. SpeedLayer__FlushInterval=00:00:00.250.</summary>
    public required IReadOnlyDictionary<string, string> SpeedLayerEnvironment { get; init; }

    /// <summary>Events archived for the replay phase (Kappa mode: the speed layer replays the master dataset); 0 skips it.</summary>
    public long ReplayEvents { get; init; }

    /// <summary>Whether to run only the replay phase.</summary>
    public bool ReplayOnly { get; init; }

    /// <summary>With <c>--catalog-vs-plain</c>: whether to skip the two-view runs after the default catalog.</summary>
    public bool WithoutPairs { get; init; }
}
