using System.Collections.Concurrent;
using Lambda.SpeedLayer.DeadLetters;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>Keeps dead letters in memory; deliveries can be held back to test that flushes wait for them.</summary>
internal sealed class FakeDeadLetterSink : IDeadLetterSink
{
    private readonly ConcurrentQueue<DeadLetter> _letters = new();
    private TaskCompletionSource? _gate;

    public IReadOnlyCollection<DeadLetter> Letters => _letters;

    /// <summary>Deliveries from now on stay pending until <see cref="Release"/>.</summary>
    public void HoldDeliveries() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate?.TrySetResult();

    public void Fail(Exception exception) => _gate?.TrySetException(exception);

    public Task PublishAsync(DeadLetter letter)
    {
        var gate = _gate;
        if (gate is null)
        {
            _letters.Enqueue(letter);
            return Task.CompletedTask;
        }

        return gate.Task.ContinueWith(
            t =>
            {
                t.GetAwaiter().GetResult();
                _letters.Enqueue(letter);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
