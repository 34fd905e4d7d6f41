namespace Lambda.BatchLayer.Dataset;

/// <summary>One data file of the master dataset, as its commit record lists it.</summary>
/// <param name="Path">Relative to the dataset root, '/' separators (<see cref="MasterDatasetLayout.DataFile"/>).</param>
/// <param name="Partition">The Kafka partition of every row.</param>
/// <param name="Date">The UTC day of every row's event time.</param>
/// <param name="Hour">The UTC hour (0-23) of every row's event time.</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="MinOffset">Smallest Kafka offset of a row.</param>
/// <param name="MaxOffset">Largest Kafka offset of a row.</param>
/// <param name="MinEventTime">Earliest event time, UTC epoch ms.</param>
/// <param name="MaxEventTime">Latest event time, UTC epoch ms.</param>
public sealed record DatasetFile(
    string Path,
    int Partition,
    DateOnly Date,
    int Hour,
    long Rows,
    long MinOffset,
    long MaxOffset,
    long MinEventTime,
    long MaxEventTime);
