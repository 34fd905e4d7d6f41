namespace Lambda.Shared.Dataset;

/// <summary>
/// The rows of one data file whose event time falls on one UTC day, as the commit record lists them. A flush
/// file lists every day it touches, so that a recompute finds the days a commit touched, and which of them
/// hold rows below a watermark, from the commit log alone.
/// </summary>
/// <param name="Date">The UTC day.</param>
/// <param name="Rows">Rows of the file on that day (at least 1).</param>
/// <param name="MinOffset">Smallest Kafka offset among them.</param>
/// <param name="MaxOffset">Largest Kafka offset among them.</param>
/// <param name="MinEventTime">Earliest event time among them, UTC epoch ms.</param>
/// <param name="MaxEventTime">Latest event time among them, UTC epoch ms.</param>
public sealed record DatasetFileDay(DateOnly Date, long Rows, long MinOffset, long MaxOffset, long MinEventTime, long MaxEventTime);
