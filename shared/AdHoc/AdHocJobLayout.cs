namespace Lambda.Shared.AdHoc;

/// <summary>
/// Where a job's result lives in the storage: <c>&lt;dataset root&gt;/jobs/&lt;id&gt;/result.&lt;parquet|csv&gt;</c>. The
/// store keeps the path relative to the root, so the batch worker that writes it and the serving instance that serves
/// it may mount the dataset at different places.
/// </summary>
public static class AdHocJobLayout
{
    /// <summary>The folder of every job's result under the dataset root.</summary>
    public const string JobsDirectory = "jobs";

    /// <summary>The result file of job <paramref name="id"/>, relative to the dataset root ('/' separators).</summary>
    public static string RelativeResultPath(Guid id, AdHocJobFormat format) =>
        $"{JobsDirectory}/{id:D}/result.{format.ToName()}";

    /// <summary>The absolute path of <paramref name="relativePath"/> under <paramref name="datasetRoot"/>.</summary>
    /// <exception cref="InvalidDataException">The path leaves the jobs folder.</exception>
    public static string Resolve(string datasetRoot, string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetRoot);
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        var jobs = Path.GetFullPath(Path.Combine(datasetRoot, JobsDirectory)) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(datasetRoot, relativePath));
        return full.StartsWith(jobs, StringComparison.Ordinal)
            ? full
            : throw new InvalidDataException($"the result path '{relativePath}' is not under '{JobsDirectory}/'");
    }
}
