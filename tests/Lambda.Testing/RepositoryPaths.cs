namespace Lambda.Testing;

/// <summary>Locates the repository checkout from a test's working directory.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The directory that holds Lambda.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The git-ignored directory where the local stack keeps its state (.state/).</summary>
    public static string StateDirectory =>
        Environment.GetEnvironmentVariable("LAMBDA_STATE_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Root, ".state");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lambda.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Lambda.sln not found above '{AppContext.BaseDirectory}'.");
    }
}
