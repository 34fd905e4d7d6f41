namespace Lambda.SpeedLayer.Flushing;

/// <summary>
/// The partitions this instance owns right now (thread-safe). Flush writers leave out partitions that were
/// lost to another instance, so a late write never lands on top of the new owner's.
/// </summary>
internal sealed class PartitionOwnership
{
    private readonly HashSet<(string Topic, int Partition)> _owned = [];
    private readonly Lock _lock = new();

    /// <summary>An ownership that owns everything (tests and single-owner drivers).</summary>
    public static PartitionOwnership Everything { get; } = new(ownsEverything: true);

    public PartitionOwnership()
        : this(ownsEverything: false)
    {
    }

    private PartitionOwnership(bool ownsEverything) => OwnsEverything = ownsEverything;

    private bool OwnsEverything { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _owned.Count;
            }
        }
    }

    public void Add(string topic, int partition)
    {
        lock (_lock)
        {
            _owned.Add((topic, partition));
        }
    }

    public void Remove(string topic, int partition)
    {
        lock (_lock)
        {
            _owned.Remove((topic, partition));
        }
    }

    public bool Owns(string topic, int partition)
    {
        if (OwnsEverything)
        {
            return true;
        }

        lock (_lock)
        {
            return _owned.Contains((topic, partition));
        }
    }
}
