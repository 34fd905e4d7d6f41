using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.BatchLayer.Archive;

/// <summary>Checks that <c>Batch:Archiver:Sources</c> names sources of the catalog (at start, with the catalog's sources in the message).</summary>
public sealed class ArchiverOptionsValidator(LambdaCatalog catalog) : IValidateOptions<ArchiverOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ArchiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            ArchiverService.ResolveSources(catalog, options);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
