namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>A fresh directory under the system temp directory, deleted on dispose.</summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory(string prefix = "lambda-batch")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lambda-batch-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
