using Lambda.BatchLayer.Recompute;
using Lambda.Shared.Batch;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// An <see cref="IRecomputeEngine"/> that plays a script: each call runs the next step (the last step
/// repeats). Counts calls and the most calls that ran at the same time.
/// </summary>
public sealed class ScriptedRecomputeEngine : IRecomputeEngine
{
    private readonly List<Func<RecomputeRequest, IProgress<RecomputeProgress>?, CancellationToken, Task<RecomputeResult>>> _steps = [];
    private readonly List<RecomputeRequest> _requests = [];
    private int _calls;
    private int _active;
    private int _maxActive;

    public int Calls => Volatile.Read(ref _calls);

    public int MaxConcurrent => Volatile.Read(ref _maxActive);

    public IReadOnlyList<RecomputeRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static RecomputeResult NothingToDo(string runId = "none") => new()
    {
        RunId = runId,
        NothingToDo = true,
        Days = [],
        RowsRead = 0,
        RowsWritten = 0,
        StartedAt = DateTimeOffset.UtcNow,
        FinishedAt = DateTimeOffset.UtcNow,
    };

    public ScriptedRecomputeEngine Then(Func<RecomputeRequest, IProgress<RecomputeProgress>?, CancellationToken, Task<RecomputeResult>> step)
    {
        _steps.Add(step);
        return this;
    }

    public ScriptedRecomputeEngine ThenReturn(RecomputeResult result) => Then((_, _, _) => Task.FromResult(result));

    public ScriptedRecomputeEngine ThenFail(string message) => Then((_, _, _) => Task.FromException<RecomputeResult>(new IOException(message)));

    public async Task<RecomputeResult> RunAsync(RecomputeRequest request, IProgress<RecomputeProgress>? progress, CancellationToken cancellationToken)
    {
        int index;
        lock (_requests)
        {
            _requests.Add(request);
            index = Math.Min(_calls, _steps.Count - 1);
            _calls++;
        }

        var active = Interlocked.Increment(ref _active);
        int seen;
        while (active > (seen = Volatile.Read(ref _maxActive)) && Interlocked.CompareExchange(ref _maxActive, active, seen) != seen)
        {
        }

        try
        {
            return await _steps[index](request, progress, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
