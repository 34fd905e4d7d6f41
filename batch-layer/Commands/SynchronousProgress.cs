namespace Lambda.BatchLayer.Commands;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler on the reporting thread. Unlike
/// <see cref="Progress{T}"/> it does not post to a captured context, so reports reach the console
/// in order even without a synchronisation context.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
