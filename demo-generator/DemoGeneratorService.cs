using System.Diagnostics;
using Confluent.Kafka;
using Lambda.DemoGenerator.Generators;
using Lambda.Shared.Kafka;
using Microsoft.Extensions.Options;

namespace Lambda.DemoGenerator;

/// <summary>Sends demo events at a steady rate until the host stops.</summary>
public sealed partial class DemoGeneratorService : BackgroundService
{
    private readonly DemoGeneratorOptions _options;
    private readonly KafkaClientConfigFactory _kafka;
    private readonly ILogger<DemoGeneratorService> _logger;

    /// <summary>Creates the service.</summary>
    public DemoGeneratorService(IOptions<DemoGeneratorOptions> options, KafkaClientConfigFactory kafka, ILogger<DemoGeneratorService> logger)
    {
        _options = options.Value;
        _kafka = kafka;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = _kafka.CreateProducerConfig();
        config.LingerMs = 20;
        var failures = 0L;
        using var producer = new ProducerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, e) => LogKafkaError(e.Reason))
            .Build();
        var factory = new DemoEventFactory(_options, _options.Seed is { } seed ? new Random(seed) : new Random());
        var sent = 0L;
        var clock = Stopwatch.StartNew();
        var lastReport = clock.Elapsed;
        LogStarted(_options.OrdersPerSecond, config.BootstrapServers);

        // Paced in 50 ms ticks: at each tick send what the target rate owes by now.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var orders = 0L;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var due = (long)(clock.Elapsed.TotalSeconds * _options.OrdersPerSecond);
            var now = DateTimeOffset.UtcNow;
            for (; orders < due; orders++)
            {
                foreach (var e in factory.NextOrder(now))
                {
                    producer.Produce(e.Topic, new Message<string, byte[]> { Key = e.Key, Value = e.Value }, report =>
                    {
                        // A lost demo event is not data loss of the platform, but it must be visible.
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    });
                    sent++;
                }
            }

            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(30))
            {
                lastReport = clock.Elapsed;
                LogProgress(sent, Interlocked.Read(ref failures));
            }
        }

        producer.Flush(TimeSpan.FromSeconds(5));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo generator sending {OrdersPerSecond} orders/s (plus payments and page views) to {Bootstrap}")]
    private partial void LogStarted(int ordersPerSecond, string bootstrap);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo generator: {Sent} events sent, {Failed} failed deliveries")]
    private partial void LogProgress(long sent, long failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka error in the demo generator: {Reason}")]
    private partial void LogKafkaError(string reason);
}
