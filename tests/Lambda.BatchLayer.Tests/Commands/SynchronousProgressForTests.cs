namespace Lambda.BatchLayer.Tests.Commands;

/// <summary>An <see cref="IProgress{T}"/> that calls its handler at once, on the reporting thread.</summary>
public sealed class SynchronousProgressForTests<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value)
    {
        lock (handler)
        {
            handler(value);
        }
    }
}
