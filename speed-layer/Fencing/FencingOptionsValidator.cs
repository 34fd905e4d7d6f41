using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Lambda.SpeedLayer.Fencing;

/// <summary>With <see cref="SpeedLayerOptions.Fencing"/> on, the speed layer needs PostgreSQL at every assignment: checked at start-up.</summary>
public sealed class FencingOptionsValidator(IConfiguration configuration) : IValidateOptions<SpeedLayerOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SpeedLayerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Fencing && string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres"))
            ? ValidateOptionsResult.Fail(
                $"{SpeedLayerOptions.SectionName}:{nameof(options.Fencing)} is on, so ConnectionStrings:Postgres must name the PostgreSQL database "
                + "the fencing tokens come from (taken at every partition assignment); or set it to false on a deployment with one speed-layer instance.")
            : ValidateOptionsResult.Success;
    }
}
