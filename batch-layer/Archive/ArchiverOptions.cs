using System.ComponentModel.DataAnnotations;

namespace Lambda.BatchLayer.Archive;

/// <summary>
/// The archiver's settings (configuration section <c>Batch:Archiver</c>). The dataset root is
/// <c>Batch:DatasetRoot</c> (<see cref="Lambda.Shared.BatchViews.BatchStorageOptions"/>); Kafka is configured
/// under <c>Kafka</c>.
/// </summary>
public sealed class ArchiverOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch:Archiver";

    /// <summary>
    /// Whether the host runs the archiver. Default false; the <c>archive</c> command
    /// (<see cref="ArchiverProgram"/>) turns it on. Read when services are registered.
    /// </summary>
    public bool Enabled { get; init; }

    /// <summary>Prefix of the consumer group ids: one group per source, <c>&lt;prefix&gt;-&lt;source&gt;</c>. Default <c>lambda-archiver</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ConsumerGroupPrefix { get; init; } = "lambda-archiver";

    /// <summary>The consumer group that archives <paramref name="source"/>: <c>&lt;prefix&gt;-&lt;source&gt;</c>.</summary>
    public string GroupIdOf(string source) => $"{ConsumerGroupPrefix}-{source}";

    /// <summary>The sources to archive; empty (the default) archives every source of the catalog.</summary>
    public IList<string> Sources { get; init; } = [];

    /// <summary>
    /// A source's buffered messages (valid and invalid, over all its partitions) that trigger a flush.
    /// Default 200,000. Bounds memory and the work a crash throws away.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxBatchEvents { get; init; } = 200_000;

    /// <summary>Longest time a consumed message waits before it is flushed to the dataset. Default 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The consumer's session timeout: how long a crashed archiver keeps its partitions before the group
    /// gives them to another member. Default 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether data files and commit records are flushed to disk (fsync) before the commit is made visible,
    /// so a committed batch survives a power loss too. Default true. A process kill is safe either way.
    /// </summary>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>
    /// Whether commits are fenced: each assignment takes a token per partition from PostgreSQL
    /// (<c>ConnectionStrings:Postgres</c>, table <c>archiver_fences</c>) and a commit record is written only while its
    /// writer's token is still the partition's newest, so a member paused past its session cannot commit a partition
    /// another member took meanwhile. Default false (one archiver needs no PostgreSQL); turn it on for several archivers.
    /// </summary>
    public bool Fencing { get; init; }

    /// <summary>Partitions written in parallel during a flush. Default: the number of processors.</summary>
    [Range(1, 256)]
    public int MaxParallelWrites { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// How many messages of one partition the broker keeps (its retention, counted in messages); older ones are evicted,
    /// and an archiver that has not read them by then loses them. Default 25,000: the development broker keeps ~5 MiB
    /// per partition, ~25,000 orders of ~200 bytes (payload and trace header). For a real Kafka, set retention.bytes
    /// divided by the average record size, or retention.ms times a partition's peak messages per second, whichever is smaller.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long RetainedMessagesPerPartition { get; init; } = 25_000;

    /// <summary>
    /// The share of <see cref="RetainedMessagesPerPartition"/> the archiver may fall behind on a partition before the batch
    /// layer reports it behind: health degraded, <c>lambda_archiver_behind</c> 1, a warning in the log, and the serving
    /// layer's ingest answering 503 with Retry-After. Below 1, so producers are slowed before the broker evicts
    /// unarchived data. Default 0.5.
    /// </summary>
    [Range(0.0001, 1.0)]
    public double MaxLagShareOfRetention { get; init; } = 0.5;

    /// <summary>How often the archiver's lag is assessed and reported to PostgreSQL for the serving layer. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan LagReportInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The lag (messages on one partition) beyond which the archiver is behind: the share of the retention, at least 1.</summary>
    public long MaxLag => Math.Max(1, (long)Math.Floor(RetainedMessagesPerPartition * MaxLagShareOfRetention));
}
