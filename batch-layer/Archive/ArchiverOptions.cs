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

    /// <summary>Partitions written in parallel during a flush. Default: the number of processors.</summary>
    [Range(1, 256)]
    public int MaxParallelWrites { get; init; } = Environment.ProcessorCount;
}
