namespace Lambda.Benchmarks.Soak;

/// <summary>One line of the table: a sample window.</summary>
internal sealed record SoakRow(
    TimeSpan Elapsed,
    long Accepted,
    long Refused,
    double? IngestP50Ms,
    double? IngestP99Ms,
    PlatformSample Platform,
    double? FilesPerFlush);
