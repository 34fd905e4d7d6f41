using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// Produces generated events to a topic, round-robin by explicit partition (the dev broker keeps only a few
/// MiB per partition, so the load is spread evenly), at an optional steady rate, and records every delivery.
/// </summary>
internal sealed class TestProducer : IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly string _topic;
    private readonly int _partitions;
    private Exception? _error;

    public TestProducer(string bootstrap, string topic, int partitions)
    {
        _topic = topic;
        _partitions = partitions;
        _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();
    }

    /// <summary>
    /// Produces <paramref name="count"/> events from <paramref name="generator"/> (indexes from
    /// <paramref name="firstIndex"/>), each added to the oracle in production order; waits for every delivery.
    /// </summary>
    public async Task ProduceAsync(EventGenerator generator, ProducedEvents produced, long firstIndex, long count, double eventsPerSecond, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var i = firstIndex; i < firstIndex + count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var generated = generator.Next(i);
            produced.Add(generated);
            var partition = (int)(i % _partitions);
            var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(generated.Key), Value = generated.Value };
            while (true)
            {
                try
                {
                    _producer.Produce(new TopicPartition(_topic, partition), message, report =>
                    {
                        if (report.Error.IsError)
                        {
                            _error ??= new KafkaException(report.Error);
                        }
                        else
                        {
                            produced.Delivered(report.Partition.Value, report.Offset.Value, generated);
                        }
                    });
                    break;
                }
                catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }

            if (eventsPerSecond > 0 && (i - firstIndex) % 1000 == 999)
            {
                var due = TimeSpan.FromSeconds((i - firstIndex + 1) / eventsPerSecond);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }
            }
        }

        await Task.Run(() => _producer.Flush(cancellationToken), cancellationToken);
        if (_error is not null)
        {
            throw new InvalidOperationException("a produce failed", _error);
        }
    }

    public void Dispose() => _producer.Dispose();
}
