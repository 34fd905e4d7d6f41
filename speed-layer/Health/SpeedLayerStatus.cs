namespace Lambda.SpeedLayer.Health;

/// <summary>What the health checks report: start-up progress and failures of the speed layer (thread-safe).</summary>
internal sealed class SpeedLayerStatus
{
    private volatile bool _schemaReady;
    private volatile bool _consuming;
    private volatile bool _replaying;
    private volatile Exception? _fault;
    private int _assigned;

    /// <summary>The speed tables exist (start-up DDL done).</summary>
    public bool SchemaReady
    {
        get => _schemaReady;
        set => _schemaReady = value;
    }

    /// <summary>The consumer loop runs (subscribed to the source topics).</summary>
    public bool Consuming
    {
        get => _consuming;
        set => _consuming = value;
    }

    /// <summary>Kappa mode: the master dataset is being replayed (the consumer starts afterwards).</summary>
    public bool Replaying
    {
        get => _replaying;
        set => _replaying = value;
    }

    /// <summary>Partitions assigned to this instance.</summary>
    public int AssignedPartitions
    {
        get => Volatile.Read(ref _assigned);
        set => Volatile.Write(ref _assigned, value);
    }

    /// <summary>The failure that stopped the speed layer, if any.</summary>
    public Exception? Fault
    {
        get => _fault;
        set => _fault = value;
    }
}
