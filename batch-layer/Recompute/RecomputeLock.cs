using Lambda.Shared.BatchViews;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// An exclusive lock on <c>views/.recompute.lock</c>, so that two recomputes (two Hangfire workers, a CLI
/// run beside the service) never publish over each other. Held through an open file with
/// <see cref="FileShare.None"/>, which .NET maps to an advisory <c>flock</c> on Unix: the OS releases it
/// when the process dies, so a killed run never leaves it behind.
/// </summary>
internal sealed class RecomputeLock : IDisposable
{
    private readonly FileStream _stream;

    private RecomputeLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock of the dataset under <paramref name="root"/>.</summary>
    /// <exception cref="InvalidOperationException">Another recompute holds it.</exception>
    public static RecomputeLock Acquire(string root)
    {
        var directory = BatchViewLayout.ViewsDirectory(root);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, ".recompute.lock");
        try
        {
            return new RecomputeLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"another recompute is running on '{root}' (it holds '{path}')", ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}
