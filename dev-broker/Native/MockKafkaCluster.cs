using System.Runtime.InteropServices;

namespace Lambda.DevBroker.Native;

/// <summary>
/// One librdkafka mock cluster: a Kafka-protocol server on real loopback sockets, in memory.
/// Thread-safe: the mock API hands every call to the cluster's own thread.
/// </summary>
internal sealed unsafe class MockKafkaCluster : IDisposable
{
    private const int ErrorBufferSize = 512;
    private readonly Lock _gate = new();
    private nint _handle;
    private nint _cluster;

    private MockKafkaCluster(nint handle, nint cluster, string bootstrapServers)
    {
        _handle = handle;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The comma-separated host:port list clients connect to.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers.</summary>
    /// <param name="brokerCount">Number of mock brokers (1 or more).</param>
    /// <param name="groupInitialRebalanceDelayMs">Consumer-group initial rebalance delay; null keeps librdkafka's default.</param>
    public static MockKafkaCluster Start(int brokerCount, int? groupInitialRebalanceDelayMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);

        var errors = stackalloc byte[ErrorBufferSize];
        var conf = LibRdKafka.ConfNew();
        // The host handle never talks to the cluster; keep its own logging quiet.
        if (LibRdKafka.ConfSet(conf, "log_level", "4", errors, ErrorBufferSize) != LibRdKafka.ConfOk)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new InvalidOperationException($"rd_kafka_conf_set(log_level) failed: {Text(errors)}");
        }

        // rd_kafka_new takes ownership of conf only when it succeeds.
        var handle = LibRdKafka.New(LibRdKafka.ProducerType, conf, errors, ErrorBufferSize);
        if (handle == 0)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new InvalidOperationException($"rd_kafka_new failed: {Text(errors)}");
        }

        var cluster = LibRdKafka.MockClusterNew(handle, brokerCount);
        if (cluster == 0)
        {
            LibRdKafka.Destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed (see librdkafka output on stderr).");
        }

        // Without a controller id, Metadata responses name no controller: admin and metadata calls
        // fail and shutdown can crash.
        LibRdKafka.MockSetControllerId(cluster, 1);
        if (groupInitialRebalanceDelayMs is { } delay)
        {
            LibRdKafka.MockGroupInitialRebalanceDelayMs(cluster, delay);
        }

        var bootstraps = Marshal.PtrToStringUTF8(LibRdKafka.MockClusterBootstraps(cluster));
        if (string.IsNullOrEmpty(bootstraps))
        {
            LibRdKafka.MockClusterDestroy(cluster);
            LibRdKafka.Destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_bootstraps returned nothing.");
        }

        return new MockKafkaCluster(handle, cluster, bootstraps);
    }

    /// <summary>Creates a topic; returns the librdkafka response code (0, or 36 when it exists).</summary>
    public int CreateTopic(string name, int partitions)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == 0, this);
            return LibRdKafka.MockTopicCreate(_cluster, name, partitions, 1);
        }
    }

    /// <summary>Deletes a topic and its data; returns the librdkafka response code.</summary>
    public int DeleteTopic(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == 0, this);
            return LibRdKafka.MockTopicDelete(_cluster, name);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != 0)
            {
                LibRdKafka.MockClusterDestroy(_cluster);
                _cluster = 0;
            }

            if (_handle != 0)
            {
                LibRdKafka.Destroy(_handle);
                _handle = 0;
            }
        }
    }

    private static string Text(byte* buffer) => Marshal.PtrToStringUTF8((nint)buffer) ?? string.Empty;
}
