using Microsoft.Extensions.Options;

namespace Lambda.Shared.Deployment;

/// <summary>Fails start-up when <c>Lambda:Mode</c> is neither <c>lambda</c> nor <c>kappa</c>, naming the setting and its value.</summary>
internal sealed class LambdaModeOptionsValidator : IValidateOptions<LambdaModeOptions>
{
    public ValidateOptionsResult Validate(string? name, LambdaModeOptions options) =>
        LambdaModeOptions.TryParse(options.Mode, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{LambdaModeOptions.SectionName}:{nameof(LambdaModeOptions.Mode)} must be '{LambdaModeOptions.LambdaName}' or '{LambdaModeOptions.KappaName}' (was '{options.Mode}')");
}
