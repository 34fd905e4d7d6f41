using System.ComponentModel.DataAnnotations;

namespace Lambda.Shared.BatchViews;

/// <summary>
/// Where the batch layer keeps its files (configuration section <c>Batch</c>, key <c>Batch:DatasetRoot</c>,
/// environment <c>Batch__DatasetRoot</c>): the master dataset under <c>&lt;root&gt;/master/</c> and the batch
/// views with their manifest under <c>&lt;root&gt;/views/</c>. The batch layer writes there; the serving layer
/// reads the batch views from the same root.
/// </summary>
public sealed class BatchStorageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Batch";

    /// <summary>
    /// The dataset root directory. Default <c>.state/dataset</c> (the local stack's state directory when a
    /// service runs from the repository root). A relative path is resolved against the current directory.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string DatasetRoot { get; init; } = Path.Combine(".state", "dataset");

    /// <summary>The absolute dataset root.</summary>
    public string ResolveRoot() => Path.GetFullPath(DatasetRoot);
}
