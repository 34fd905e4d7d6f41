using Microsoft.Extensions.Options;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Alerts;

/// <summary>Checks <see cref="AlertOptions"/> against the catalog at start-up; every message names the configuration key at fault.</summary>
internal sealed class AlertOptionsValidator(LambdaCatalog catalog) : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        AlertRuleCompiler.Compile(options, catalog, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
