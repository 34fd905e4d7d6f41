using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Shares the answer of one query among identical queries (single flight): under load, many clients asking the same
/// question cost one batch merge and one ClickHouse read per <see cref="Refresh"/> interval.
/// </summary>
/// <remarks>
/// An answer reflects the manifest and the speed tables as they were when its computation started. The design is in <c>docs/design-notes.md</c>, "Shared answers".
/// </remarks>
internal sealed class ViewQueryResultCache(TimeSpan refresh, TimeSpan maxAge, TimeProvider time)
{
    /// <summary>Entries beyond this count trigger a sweep of every expired one, however recent the last sweep.</summary>
    private const int SweepThreshold = 1024;

    /// <summary>
    /// How long an answer older than <see cref="MaxAge"/> is kept, only to be refreshed from, once its query was asked
    /// again (a dashboard polling every few seconds then merges just the flushes stored since). The answer of a query
    /// asked once is dropped at <see cref="MaxAge"/>, and only the slot that remembers the query is kept this long: a
    /// client asking ever different queries (a flood of different limits or ranges) leaves nothing behind that the GC
    /// would copy from generation to generation, each pause of which every other query in the process waits out.
    /// </summary>
    private static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    private long _sweptAt = time.GetTimestamp();

    /// <summary>Age from which an answer is refreshed.</summary>
    public TimeSpan Refresh { get; } = refresh;

    /// <summary>Age beyond which an answer is never served.</summary>
    public TimeSpan MaxAge { get; } = maxAge >= refresh ? maxAge : refresh;

    /// <summary>
    /// The shared answer to <paramref name="query"/>, computing it with <paramref name="compute"/> when there is none
    /// fresh enough; <paramref name="compute"/> gets the newest answer it refreshes, if any, to start from.
    /// </summary>
    public async Task<ViewQueryResult> GetOrComputeAsync(
        ViewQuery query, Func<ViewQuery, ViewQueryResult?, CancellationToken, Task<ViewQueryResult>> compute, CancellationToken cancellationToken)
    {
        var slot = _slots.GetOrAdd(KeyOf(query), _ => new Slot());
        var now = time.GetTimestamp();
        Computation? started = null;
        Computation serve;
        ViewQueryResult? previous;
        lock (slot)
        {
            slot.Asked(now);
            var latest = slot.Latest;
            previous = latest?.Value;
            if (latest is not null && Age(latest, now) < Refresh)
            {
                serve = latest;
            }
            else
            {
                // One refresh at a time: parallel ones would only compete for the same cores.
                var pending = slot.Pending;
                if (pending is null || pending.Result.IsFaulted || pending.Result.IsCanceled || pending.IsAbandoned)
                {
                    pending = started = new Computation(now);
                    slot.Pending = pending;
                }

                if (latest is not null && Age(latest, now) < MaxAge)
                {
                    serve = latest;
                }
                else if (Age(pending, now) < MaxAge)
                {
                    serve = pending;
                }
                else
                {
                    // The refresh under way started too long before this request to answer it.
                    serve = started = new Computation(now);
                    slot.Pending = serve;
                }
            }

            serve.Join();
        }

        if (started is not null)
        {
            // Not tied to the first caller's token: the others wait for the same answer. It stops when the last caller
            // waiting for it gives up (a request timeout, a client gone), so no abandoned work holds the cores.
            started.Start(token => compute(query, previous, token), slot);
            if (_slots.Count > SweepThreshold)
            {
                Sweep(now, MaxAge, MaxAge);
            }
            else if (time.GetElapsedTime(Interlocked.Read(ref _sweptAt), now) >= MaxAge)
            {
                // Without this, a client asking many distinct queries (a flood of different limits or ranges) would keep
                // every answer, its rows and its accumulator alive until the count reached the threshold: gigabytes.
                Sweep(now, MaxAge, KeptFor > MaxAge ? KeptFor : MaxAge);
            }
        }

        ViewQueryResult result;
        try
        {
            result = await serve.Result.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            bool abandon;
            lock (slot)
            {
                abandon = serve.Leave();
            }

            if (abandon)
            {
                await serve.AbandonAsync().ConfigureAwait(false);
            }
        }

        // Only the caller that started the computation answered is charged for it (Serving:Limits:GroupsPerSecond).
        var shared = !ReferenceEquals(serve, started) && result.GroupsComputed != 0;
        return ReferenceEquals(result.Query, query) && !shared ? result : result with { Query = query, GroupsComputed = shared ? 0 : result.GroupsComputed };
    }

    private static string KeyOf(ViewQuery query)
    {
        var key = new StringBuilder(128)
            .Append(query.View.Name).Append('|').Append(query.View.DefinitionHash)
            .Append('|').Append(query.Range.StartMilliseconds.ToString(CultureInfo.InvariantCulture))
            .Append('|').Append(query.Range.EndMilliseconds.ToString(CultureInfo.InvariantCulture))
            .Append('|').Append(query.Granularity.ToName())
            .Append("|w").Append(query.Window?.Buckets.ToString(CultureInfo.InvariantCulture))
            .Append('|').Append(query.Limit.ToString(CultureInfo.InvariantCulture))
            // The quantiles only shape the JSON, but the rendered body is shared with the answer: they belong to the key.
            .Append("|q").AppendJoin(',', query.Quantiles.Select(q => q.ToString("R", CultureInfo.InvariantCulture)))
            .Append("|g");
        foreach (var index in query.GroupBy)
        {
            key.Append(',').Append(index.ToString(CultureInfo.InvariantCulture));
        }

        key.Append(query.Filter.Key);
        return key.ToString();
    }

    private TimeSpan Age(Computation computation, long now) => time.GetElapsedTime(computation.StartedAt, now);

    /// <summary>
    /// Drops the answers of queries asked once that are at least <paramref name="single"/> old, and the slots last asked
    /// at least <paramref name="kept"/> ago; never a slot with a computation under way.
    /// </summary>
    private void Sweep(long now, TimeSpan single, TimeSpan kept)
    {
        Interlocked.Exchange(ref _sweptAt, now);
        foreach (var pair in _slots)
        {
            var slot = pair.Value;
            lock (slot)
            {
                if (slot.Pending is { } pending && !pending.Result.IsCompleted)
                {
                    continue;
                }

                if (time.GetElapsedTime(slot.AskedAt, now) >= kept && (slot.Latest is not { } latest || Age(latest, now) >= kept))
                {
                    _slots.TryRemove(pair);
                }
                else if (!slot.IsRepeated && slot.Latest is { } once && Age(once, now) >= single)
                {
                    slot.Latest = null;
                }
            }
        }
    }

    /// <summary>One query's newest successful answer and the computation under way, guarded by locking the slot.</summary>
    private sealed class Slot
    {
        private int _asked;

        /// <summary>When the query was last asked (a timestamp of the cache's clock).</summary>
        public long AskedAt { get; private set; }

        /// <summary>True once the query was asked more than once: its answer is worth keeping to refresh from.</summary>
        public bool IsRepeated => _asked > 1;

        /// <summary>The query is asked (under the slot's lock).</summary>
        public void Asked(long now)
        {
            _asked = Math.Min(_asked + 1, 2);
            AskedAt = now;
        }

        public Computation? Latest { get; set; }

        public Computation? Pending { get; set; }
    }

    private sealed class Computation(long startedAt)
    {
        private readonly TaskCompletionSource<ViewQueryResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _abandoned = new();

        /// <summary>Callers waiting for the answer, guarded by the slot's lock.</summary>
        private int _waiters;

        public long StartedAt { get; } = startedAt;

        public Task<ViewQueryResult> Result => _result.Task;

        /// <summary>The answer, once computed (set before the computation becomes a slot's latest).</summary>
        public ViewQueryResult? Value { get; private set; }

        /// <summary>
        /// True once every caller that waited for it gave up before the answer (read and set under the slot's lock, so
        /// no caller joins a computation about to be cancelled).
        /// </summary>
        public bool IsAbandoned { get; private set; }

        /// <summary>One more caller waits (under the slot's lock).</summary>
        public void Join() => _waiters++;

        /// <summary>A caller stopped waiting (under the slot's lock); true when it was the last one and the answer is not ready.</summary>
        public bool Leave()
        {
            IsAbandoned |= --_waiters == 0 && !_result.Task.IsCompleted;
            return IsAbandoned;
        }

        /// <summary>Cancels the computation (outside the slot's lock: cancellation runs the callbacks, e.g. HTTP aborts).</summary>
        public Task AbandonAsync() => _abandoned.CancelAsync();

        public void Start(Func<CancellationToken, Task<ViewQueryResult>> compute, Slot slot) =>
            _ = Task.Run(async () =>
            {
                try
                {
                    var result = await compute(_abandoned.Token).ConfigureAwait(false) with { Rendered = new Json.RenderedBody() };
                    Value = result;
                    lock (slot)
                    {
                        if (slot.Latest is null || slot.Latest.StartedAt <= StartedAt)
                        {
                            slot.Latest = this;
                        }

                        if (ReferenceEquals(slot.Pending, this))
                        {
                            slot.Pending = null;
                        }
                    }

                    _result.TrySetResult(result);
                }
                catch (OperationCanceledException ex)
                {
                    _result.TrySetCanceled(ex.CancellationToken);
                }
                catch (Exception ex)
                {
                    _result.TrySetException(ex);
                }
            });
    }
}
