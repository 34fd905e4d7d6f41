using System.ComponentModel.DataAnnotations;

namespace Lambda.BatchLayer;

/// <summary>
/// Settings of the batch-layer host shared by its concerns; bound from the <c>Batch</c> section
/// (env <c>Batch__DatasetRoot</c>, ...). Schedule and loading settings live in their own
/// sub-sections (<c>Batch:Schedule</c>, <c>Batch:Load</c>).
/// </summary>
public sealed class BatchLayerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch";

    /// <summary>
    /// Root of the master dataset and the batch views (<c>&lt;root&gt;/master/...</c>, <c>&lt;root&gt;/views/...</c>).
    /// A relative path is resolved against the current directory. Default: <c>.state/dataset</c>
    /// (the service's appsettings.json sets <c>../.state/dataset</c>, as it runs from <c>batch-layer/</c>).
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string DatasetRoot { get; init; } = ".state/dataset";

    /// <summary>
    /// Where the host listens (the Hangfire dashboard and <c>/healthz</c>) when neither <c>urls</c>
    /// nor <c>ASPNETCORE_URLS</c> says otherwise. Default: <c>http://127.0.0.1:8082</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Urls { get; init; } = "http://127.0.0.1:8082";

    /// <summary>Path of the Hangfire dashboard. Default: <c>/hangfire</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^/[A-Za-z0-9_/-]*$", ErrorMessage = "Batch:DashboardPath must start with '/' and contain only letters, digits, '_', '-' and '/'.")]
    public string DashboardPath { get; init; } = "/hangfire";

    /// <summary>The dataset root as an absolute path.</summary>
    public string GetDatasetRootPath() => Path.GetFullPath(DatasetRoot);
}
