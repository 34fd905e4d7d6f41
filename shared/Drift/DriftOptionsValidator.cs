using Microsoft.Extensions.Options;

namespace Lambda.Shared.Drift;

/// <summary>Checks <see cref="DriftOptions"/>; every message names the setting.</summary>
public sealed class DriftOptionsValidator : IValidateOptions<DriftOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!DriftSchema.IsValidSchemaName(options.Schema))
        {
            errors.Add($"{DriftOptions.SectionName}:{nameof(DriftOptions.Schema)} '{options.Schema}' must be 1 to 63 lowercase letters, digits or '_', starting with a letter or '_'.");
        }

        if (options.MaxStoredDifferences is < 1 or > 1_000_000)
        {
            errors.Add($"{DriftOptions.SectionName}:{nameof(DriftOptions.MaxStoredDifferences)} '{options.MaxStoredDifferences}' must be from 1 to 1000000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
