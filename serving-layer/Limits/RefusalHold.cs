using System.Collections.Concurrent;

namespace Lambda.ServingLayer.Limits;

/// <summary>
/// Remembers, per API key, until when its last refusal told it to wait (<c>Retry-After</c>). A key that asks again
/// before then gets its next 429 only after the rest of that wait, up to <see cref="QueryLimitsOptions.RefusalHold"/>:
/// a client that ignores <c>Retry-After</c> then costs one refusal per connection and wait instead of one per round
/// trip, and the refusals it would have spun on no longer take the cores the other keys' queries need. A client that
/// waits as told is never held.
/// </summary>
internal sealed class RefusalHold(TimeSpan most, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _waitUntil = new(StringComparer.Ordinal);

    /// <summary>
    /// Records that <paramref name="key"/> is refused now and told to wait <paramref name="retryAfter"/>; returns how long
    /// to hold this refusal (zero unless the key came back before an earlier refusal's wait was over).
    /// </summary>
    public TimeSpan Refuse(string key, TimeSpan retryAfter)
    {
        var now = time.GetTimestamp();
        var hold = TimeSpan.Zero;
        _waitUntil.AddOrUpdate(
            key,
            _ => After(now, retryAfter),
            (_, earlier) =>
            {
                hold = earlier > now ? time.GetElapsedTime(now, earlier) : TimeSpan.Zero;
                hold = hold < most ? hold : most;
                // The wait it is told starts when the held answer is sent.
                return Math.Max(earlier, After(now, hold + retryAfter));
            });
        return hold;
    }

    private long After(long timestamp, TimeSpan span) => timestamp + (long)(span.TotalSeconds * time.TimestampFrequency);
}
