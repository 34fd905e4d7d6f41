using Lambda.BatchLayer.Dataset;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.BatchLayer.Tests.Dataset;

public sealed class ConsistentReadTests
{
    [Fact]
    public void A_log_that_keeps_changing_is_an_IOException_after_the_last_attempt()
    {
        using var clock = new RunningFakeClock();
        var calls = 0;

        var ex = Assert.Throws<IOException>(() => ConsistentRead.Execute<int>(() => { calls++; throw new CommitLogChangedException("changed"); }, clock.Pipeline));

        Assert.IsType<CommitLogChangedException>(ex.InnerException);
        Assert.Equal(ConsistentRead.MaxAttempts, calls);
    }

    [Fact]
    public void An_inner_read_that_gave_up_is_not_retried_by_the_outer_one()
    {
        using var clock = new RunningFakeClock();
        var inner = 0;

        Assert.Throws<IOException>(() => ConsistentRead.Execute(
            () => ConsistentRead.Execute<int>(() => { inner++; throw new CommitLogChangedException("changed"); }, clock.Pipeline),
            clock.Pipeline));

        Assert.Equal(ConsistentRead.MaxAttempts, inner);
    }

    [Fact]
    public async Task A_changed_log_is_read_again_after_waits_growing_by_5_ms()
    {
        var time = new FakeTimeProvider();
        var pipeline = ConsistentRead.Create(time);
        var calls = 0;

        var run = pipeline.ExecuteAsync(_ => ++calls < 3 ? throw new CommitLogChangedException("changed") : ValueTask.FromResult(calls), CancellationToken.None).AsTask();
        await WaitForCallsAsync(() => calls, 1);
        time.Advance(TimeSpan.FromMilliseconds(4));
        await Task.Delay(50);
        Assert.Equal(1, calls);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForCallsAsync(() => calls, 2);
        time.Advance(TimeSpan.FromMilliseconds(9));
        await Task.Delay(50);
        Assert.Equal(2, calls);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(3, await run);
    }

    [Fact]
    public async Task Other_failures_are_not_retried()
    {
        var calls = 0;

        await Assert.ThrowsAsync<InvalidDataException>(() => ConsistentRead.Create(new FakeTimeProvider()).ExecuteAsync<int>(
            _ =>
            {
                calls++;
                throw new InvalidDataException("damaged record");
            },
            CancellationToken.None).AsTask());
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_log_that_keeps_changing_gives_up_after_the_last_attempt()
    {
        var time = new FakeTimeProvider();
        var calls = 0;

        var run = ConsistentRead.Create(time).ExecuteAsync<int>(_ => { calls++; throw new CommitLogChangedException("changed"); }, CancellationToken.None).AsTask();
        while (!run.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }

        await Assert.ThrowsAsync<CommitLogChangedException>(() => run);
        Assert.Equal(ConsistentRead.MaxAttempts, calls);
    }

    private static async Task WaitForCallsAsync(Func<int> calls, int expected)
    {
        for (var i = 0; i < 500 && calls() < expected; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(expected, calls());
    }

    /// <summary>A fake clock that a background loop keeps advancing, so a synchronous retry's waits end at once.</summary>
    private sealed class RunningFakeClock : IDisposable
    {
        private readonly FakeTimeProvider _time = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public RunningFakeClock()
        {
            Pipeline = ConsistentRead.Create(_time);
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    _time.Advance(TimeSpan.FromMilliseconds(100));
                    await Task.Yield();
                }
            });
        }

        public Polly.ResiliencePipeline Pipeline { get; }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait();
            _stop.Dispose();
        }
    }
}
