namespace Lambda.Benchmarks.Soak;

/// <summary>One look at the running platform.</summary>
/// <param name="RssMiB">Resident memory per service (null: its process was not found).</param>
/// <param name="SpeedLag">The speed layer's consumer lag on the orders topic, summed over partitions (null: no scrape).</param>
/// <param name="ArchiverLag">The archiver's lag of the orders source, summed over partitions, as of each partition's last commit.</param>
/// <param name="DatasetFiles">Files of the committed master dataset of orders (the batch layer measures it every 30 s).</param>
/// <param name="FilesWritten">Data files the archiver wrote for orders since it started.</param>
/// <param name="Flushes">Archiver flushes of orders since it started.</param>
internal sealed record PlatformSample(
    IReadOnlyDictionary<string, long?> RssMiB, double? SpeedLag, double? ArchiverLag, double? DatasetFiles, double? FilesWritten, double? Flushes);
