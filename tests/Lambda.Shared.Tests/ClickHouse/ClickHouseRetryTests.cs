using Lambda.Shared.ClickHouse;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Lambda.Shared.Tests.ClickHouse;

public sealed class ClickHouseRetryTests
{
    private static readonly ClickHouseRetryPolicy Policy = new() { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(4) };

    private static ClickHouseException Transient() => new(ClickHouseFailureKind.Network, "connection refused", isTransient: true);

    [Fact]
    public async Task Transient_failures_are_retried_on_the_time_provider_until_the_call_succeeds()
    {
        var time = new FakeTimeProvider();
        var delays = new List<TimeSpan>();
        var pipeline = ClickHouseRetry.Create(Policy, time, args =>
        {
            delays.Add(args.RetryDelay);
            return ValueTask.CompletedTask;
        });
        var calls = 0;

        var run = pipeline.ExecuteAsync(_ => ++calls < 4 ? throw Transient() : ValueTask.FromResult(calls), CancellationToken.None).AsTask();

        // Nothing passes unless the fake clock moves: the waits are the pipeline's, not the machine's.
        await Task.Delay(200);
        Assert.Equal(1, calls);
        Assert.False(run.IsCompleted);
        while (!run.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(4));
            await Task.Delay(10);
        }

        Assert.Equal(4, await run);
        Assert.Equal(3, delays.Count);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, Policy.MaxDelay));
    }

    [Fact]
    public async Task Other_failures_pass_through_at_once()
    {
        var pipeline = ClickHouseRetry.Create(Policy, new FakeTimeProvider());
        var calls = 0;

        await Assert.ThrowsAsync<ClickHouseException>(() => pipeline.ExecuteAsync<int>(
            _ =>
            {
                calls++;
                throw new ClickHouseException(ClickHouseFailureKind.Server, "syntax error", isTransient: false);
            },
            CancellationToken.None).AsTask());
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_failure_after_the_deadline_is_thrown_as_it_is()
    {
        var time = new FakeTimeProvider();
        var pipeline = ClickHouseRetry.Create(Policy, time);
        var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
        context.Properties.Set(ClickHouseRetry.Deadline, time.GetUtcNow() + TimeSpan.FromSeconds(10));
        var calls = 0;

        var run = pipeline.ExecuteAsync<int>(_ => { calls++; throw Transient(); }, context).AsTask();
        while (!run.IsCompleted)
        {
            await Task.Delay(10);
            time.Advance(TimeSpan.FromSeconds(4));
        }

        await Assert.ThrowsAsync<ClickHouseException>(() => run);
        Assert.InRange(calls, 2, 12);
        Assert.True(time.GetUtcNow() >= context.Properties.GetValue(ClickHouseRetry.Deadline, DateTimeOffset.MaxValue));
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public void The_client_pipeline_is_empty_without_retries()
    {
        Assert.Same(ResiliencePipeline.Empty, ClickHouseRetry.CreatePipeline(new ClickHouseOptions { MaxRetryAttempts = 0 }));
    }
}
