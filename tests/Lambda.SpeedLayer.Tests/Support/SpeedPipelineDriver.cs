using Lambda.Shared.Aggregation;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;
using Lambda.SpeedLayer.Consuming;
using Lambda.SpeedLayer.Flushing;
using Lambda.SpeedLayer.Metrics;
using Lambda.SpeedLayer.Pipeline;
using Lambda.SpeedLayer.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// Runs the speed layer's consume → parse → aggregate → flush pipeline over in-memory topic partitions,
/// without a broker, into a <see cref="FakeSpeedTableWriter"/> (in the spirit of Kafka Streams' topology test
/// driver). It uses the production pipeline, resume planner and flush writers; only Kafka is replaced by
/// lists of messages and ClickHouse by the fake store. <see cref="CrashAsync"/> drops every in-memory state
/// like a SIGKILL; <see cref="StartAsync"/> then resumes from what the store holds.
/// </summary>
internal sealed class SpeedPipelineDriver : IAsyncDisposable
{
    private readonly LambdaCatalog _catalog;
    private readonly SpeedLayerOptions _options;
    private readonly Dictionary<(string Topic, int Partition), List<(byte[]? Key, byte[] Value)>> _log = [];
    private readonly Dictionary<(string Topic, int Partition), long> _positions = [];
    private SpeedPipeline _pipeline = null!;
    private FlushCoordinator _coordinator = null!;
    private CancellationTokenSource _writersStop = null!;

    public SpeedPipelineDriver(LambdaCatalog catalog, SpeedLayerOptions? options = null, ISpeedTableWriter? store = null)
    {
        _catalog = catalog;
        _options = options ?? new SpeedLayerOptions { FlushInterval = TimeSpan.FromSeconds(1), RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(5) };
        Store = store ?? new FakeSpeedTableWriter();
        Build();
    }

    public ISpeedTableWriter Store { get; }

    /// <summary>The store as the in-memory fake (when the driver runs with one).</summary>
    public FakeSpeedTableWriter FakeStore => (FakeSpeedTableWriter)Store;

    public FakeDeadLetterSink DeadLetters { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The meter factory the speed layer's instruments come from (per driver, so tests can listen to just theirs).</summary>
    public IMeterFactory Meters { get; } = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public SpeedPipeline Pipeline => _pipeline;

    public Exception? Fault => _coordinator.Fault;

    /// <summary>The offsets handed out for committing, per partition (the latest).</summary>
    public Dictionary<(string Topic, int Partition), long> Commits { get; } = [];

    /// <summary>Appends a message to an in-memory partition; returns its offset.</summary>
    public long Produce(string topic, int partition, byte[] value, byte[]? key = null)
    {
        if (!_log.TryGetValue((topic, partition), out var messages))
        {
            messages = [];
            _log.Add((topic, partition), messages);
        }

        messages.Add((key, value));
        return messages.Count - 1;
    }

    /// <summary>Assigns partitions: each resumes where the store says (or at offset 0); returns the start offsets.</summary>
    public async Task<IReadOnlyDictionary<int, long>> StartAsync(string topic, params int[] partitions)
    {
        // The offsets committed so far go along as the advisory hints they are in production.
        var committed = Commits.Where(c => c.Key.Topic == topic).ToDictionary(c => c.Key.Partition, c => c.Value);
        var plan = await new ResumePlanner(Store).PlanAsync(topic, _pipeline.ViewsOf(topic), partitions, committed, CancellationToken.None);
        var starts = new Dictionary<int, long>();
        foreach (var resume in plan)
        {
            _pipeline.Assign(resume);
            starts[resume.Partition] = resume.StartOffset ?? 0;
            _positions[(topic, resume.Partition)] = starts[resume.Partition];
        }

        return starts;
    }

    /// <summary>
    /// Feeds messages round-robin over the assigned partitions (up to <paramref name="max"/>), cutting and
    /// queueing batches whenever the pipeline says a flush is due, as the Kafka loop does.
    /// </summary>
    public async Task<int> PumpAsync(int max = int.MaxValue, bool cutWhenDue = true)
    {
        var processed = 0;
        var progress = true;
        while (processed < max && progress)
        {
            progress = false;
            foreach (var key in _positions.Keys.ToArray())
            {
                if (processed >= max || !_log.TryGetValue(key, out var messages) || _positions[key] >= messages.Count)
                {
                    continue;
                }

                var offset = _positions[key];
                var (k, v) = messages[(int)offset];
                _pipeline.Process(key.Topic, key.Partition, offset, k, v);
                _positions[key] = offset + 1;
                processed++;
                progress = true;
                if (cutWhenDue && _pipeline.IsFlushDue())
                {
                    await _coordinator.EnqueueAsync(_pipeline.Cut(_ => true), CancellationToken.None);
                }
            }
        }

        return processed;
    }

    /// <summary>Cuts everything pending and waits until the store holds it.</summary>
    public async Task FlushAsync()
    {
        await _coordinator.EnqueueAsync(_pipeline.Cut(_ => true), CancellationToken.None);
        await WaitIdleAsync();
    }

    /// <summary>Waits for queued batches, then applies their completions (offsets to commit).</summary>
    public async Task WaitIdleAsync()
    {
        await _coordinator.WhenIdleAsync(CancellationToken.None);
        while (_coordinator.TryTakeCompletion(out var completion))
        {
            foreach (var (topic, partition, next) in _pipeline.Complete(completion))
            {
                Commits[(topic, partition)] = next;
            }
        }
    }

    /// <summary>Loses every in-memory state (aggregators, queued batches, positions), like a SIGKILL; call <see cref="StartAsync"/> to resume.</summary>
    public async Task CrashAsync()
    {
        await _writersStop.CancelAsync();
        await _coordinator.DisposeAsync();
        _writersStop.Dispose();
        _positions.Clear();
        Build();
    }

    /// <summary>The merged groups of a view as the store holds them.</summary>
    public Task<IReadOnlyList<ViewGroup>> ReadAsync(ViewDefinition view) => Task.FromResult(FakeStore.ReadGroups(view));

    public async ValueTask DisposeAsync()
    {
        await _writersStop.CancelAsync();
        await _coordinator.DisposeAsync();
        _writersStop.Dispose();
    }

    private void Build()
    {
        var metrics = new SpeedLayerMetrics(Meters);
        _pipeline = new SpeedPipeline(_catalog, DeadLetters, _options, metrics, Time);
        _writersStop = new CancellationTokenSource();
        _coordinator = new FlushCoordinator(
            _pipeline.Views, Store, _options, PartitionOwnership.Everything, metrics, NullLoggerFactory.Instance, System.TimeProvider.System);
        _coordinator.Start(_writersStop.Token);
    }
}
