using Lambda.Shared.Security;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Configuration;

/// <summary>Refuses a Production start without API keys or with a public development key (checked on start).</summary>
internal sealed class ProductionKeysValidator(IHostEnvironment environment) : IValidateOptions<ServingOptions>
{
    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!environment.IsProduction())
        {
            return ValidateOptionsResult.Success;
        }

        const string path = $"{ServingOptions.SectionName}:{nameof(ServingOptions.ApiKeys)}";
        var problems = DevelopmentApiKeys.ProductionProblems(
            options.ApiKeys.Select(k => (string?)k.Key).ToList(), path, i => $"{path}:{i}:{nameof(ApiKeyEntry.Key)}");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
