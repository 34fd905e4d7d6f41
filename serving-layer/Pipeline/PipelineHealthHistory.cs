using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>
/// The samples of the last <see cref="PipelineHealthOptions.History"/> per source, in memory (each serving instance keeps
/// its own), and the newest recompute reading. Each source's samples form a ring: adding one drops those older than the
/// history before the new one, and never more than the history holds at the sample interval are kept.
/// </summary>
public sealed class PipelineHealthHistory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<PipelineSample>> _samples = new(StringComparer.Ordinal);
    private readonly TimeSpan _history;
    private readonly int _capacity;
    private RecomputeReading? _recompute;

    /// <summary>Creates an empty history.</summary>
    public PipelineHealthHistory(IOptions<PipelineHealthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _history = options.Value.History;

        // One more than the interval fits: the newest sample and the one a whole history before it both count.
        _capacity = (int)Math.Ceiling(_history / options.Value.SampleInterval) + 1;
    }

    /// <summary>The newest recompute reading; null before the first sample.</summary>
    public RecomputeReading? Recompute
    {
        get
        {
            lock (_gate)
            {
                return _recompute;
            }
        }
    }

    /// <summary>Adds <paramref name="sample"/> of <paramref name="source"/> and drops what the history no longer covers.</summary>
    public void Add(string source, PipelineSample sample)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentNullException.ThrowIfNull(sample);
        lock (_gate)
        {
            if (!_samples.TryGetValue(source, out var queue))
            {
                queue = new Queue<PipelineSample>(_capacity);
                _samples[source] = queue;
            }

            var oldest = sample.Time - _history;
            while (queue.Count > 0 && (queue.Peek().Time < oldest || queue.Count >= _capacity))
            {
                queue.Dequeue();
            }

            queue.Enqueue(sample);
        }
    }

    /// <summary>Records the newest recompute reading.</summary>
    public void SetRecompute(RecomputeReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        lock (_gate)
        {
            _recompute = reading;
        }
    }

    /// <summary>The samples of <paramref name="source"/>, oldest first; empty before its first.</summary>
    public IReadOnlyList<PipelineSample> SamplesOf(string source)
    {
        lock (_gate)
        {
            return _samples.TryGetValue(source, out var queue) ? queue.ToArray() : [];
        }
    }
}
