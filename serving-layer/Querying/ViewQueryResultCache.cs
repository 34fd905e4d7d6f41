using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Shares the answer of one query among identical queries that arrive within <see cref="Ttl"/> of its start
/// (single flight): under load, many clients asking the same question cost one batch merge and one ClickHouse read.
/// </summary>
/// <remarks>
/// A shared answer reflects the manifest and the speed tables as they were when its computation started, so an
/// answer is at most <see cref="Ttl"/> older than a fresh one; the architecture promises live views within a second,
/// and the TTL is validated to stay well below that. A failed or cancelled computation is never shared again.
/// </remarks>
internal sealed class ViewQueryResultCache(TimeSpan ttl, TimeProvider time)
{
    /// <summary>Entries beyond this count trigger a sweep of the expired ones, so distinct queries do not pile up.</summary>
    private const int SweepThreshold = 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How long an answer is shared after its computation started.</summary>
    public TimeSpan Ttl { get; } = ttl;

    /// <summary>The shared answer to <paramref name="query"/>, computing it with <paramref name="compute"/> when there is none fresh enough.</summary>
    public async Task<ViewQueryResult> GetOrComputeAsync(
        ViewQuery query, Func<ViewQuery, CancellationToken, Task<ViewQueryResult>> compute, CancellationToken cancellationToken)
    {
        var key = KeyOf(query);
        var now = time.GetTimestamp();
        Entry? created = null;
        var entry = _entries.AddOrUpdate(
            key,
            _ => created = new Entry(now),
            (_, existing) => IsUsable(existing, now) ? existing : created = new Entry(now));
        if (ReferenceEquals(entry, created))
        {
            // Not tied to the first caller's token: the others wait for the same answer.
            entry.Start(() => compute(query, CancellationToken.None));
            if (_entries.Count > SweepThreshold)
            {
                Sweep(now);
            }
        }

        var result = await entry.Result.WaitAsync(cancellationToken).ConfigureAwait(false);
        return ReferenceEquals(result.Query, query) ? result : result with { Query = query };
    }

    private static string KeyOf(ViewQuery query)
    {
        var key = new StringBuilder(128)
            .Append(query.View.Name).Append('|').Append(query.View.DefinitionHash)
            .Append('|').Append(query.Range.StartMilliseconds.ToString(CultureInfo.InvariantCulture))
            .Append('|').Append(query.Range.EndMilliseconds.ToString(CultureInfo.InvariantCulture))
            .Append('|').Append(query.Granularity.ToName())
            .Append('|').Append(query.Limit.ToString(CultureInfo.InvariantCulture))
            .Append("|g");
        foreach (var index in query.GroupBy)
        {
            key.Append(',').Append(index.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var condition in query.Filter.OrderBy(c => c.Index))
        {
            key.Append("|f").Append(condition.Index.ToString(CultureInfo.InvariantCulture));
            foreach (var value in condition.Values.Select(v => v.ToCanonicalString()).Order(StringComparer.Ordinal))
            {
                // Length-prefixed, so no value can forge a separator.
                key.Append(':').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
            }
        }

        return key.ToString();
    }

    private bool IsUsable(Entry entry, long now) =>
        time.GetElapsedTime(entry.StartedAt, now) < Ttl && !entry.Result.IsFaulted && !entry.Result.IsCanceled;

    private void Sweep(long now)
    {
        foreach (var pair in _entries)
        {
            if (!IsUsable(pair.Value, now))
            {
                _entries.TryRemove(pair);
            }
        }
    }

    private sealed class Entry(long startedAt)
    {
        private readonly TaskCompletionSource<ViewQueryResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long StartedAt { get; } = startedAt;

        public Task<ViewQueryResult> Result => _result.Task;

        public void Start(Func<Task<ViewQueryResult>> compute) =>
            _ = Task.Run(async () =>
            {
                try
                {
                    _result.TrySetResult(await compute().ConfigureAwait(false));
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
