using Microsoft.Extensions.Options;

namespace Lambda.Shared.Catalog;

/// <summary>Fails options validation (and so host start-up) when the configured catalog is missing or invalid, listing every error.</summary>
internal sealed class CatalogOptionsValidator : IValidateOptions<CatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalogOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Fail("Catalog:Path must name the catalog YAML file");
        }

        try
        {
            CatalogLoader.LoadFile(options.Path);
            return ValidateOptionsResult.Success;
        }
        catch (CatalogValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
