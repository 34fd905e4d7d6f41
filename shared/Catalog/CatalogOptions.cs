using System.ComponentModel.DataAnnotations;

namespace Lambda.Shared.Catalog;

/// <summary>Where the catalog lives; bound from the <c>Catalog</c> configuration section (<c>Catalog:Path</c>).</summary>
public sealed class CatalogOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Catalog";

    /// <summary>
    /// Path of the catalog YAML file. Default: <c>catalog.yaml</c> in the application's base directory
    /// (the default catalog shipped with Lambda.Shared is copied there by the build). A relative path is
    /// resolved against the current directory.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; init; } = System.IO.Path.Combine(AppContext.BaseDirectory, "catalog.yaml");
}
