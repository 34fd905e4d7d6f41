using Lambda.ServingLayer.Security;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Configuration;

/// <summary>Checks the API keys and the query-sharing times of <see cref="ServingOptions"/>; every message names the configuration key at fault.</summary>
internal sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    /// <summary>Shortest accepted key.</summary>
    public const int MinKeyLength = 8;

    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var entry = options.ApiKeys[i];
            var path = $"{ServingOptions.SectionName}:{nameof(ServingOptions.ApiKeys)}:{i}";
            if (string.IsNullOrWhiteSpace(entry.Key) || entry.Key.Length < MinKeyLength || entry.Key.Trim() != entry.Key)
            {
                errors.Add($"{path}:{nameof(ApiKeyEntry.Key)} must be at least {MinKeyLength} characters without surrounding white space.");
            }
            else if (!seen.Add(entry.Key))
            {
                errors.Add($"{path}:{nameof(ApiKeyEntry.Key)} repeats an earlier key.");
            }

            if (entry.Scopes.Count == 0)
            {
                errors.Add($"{path}:{nameof(ApiKeyEntry.Scopes)} must list at least one of {string.Join(", ", ApiScopes.All)}.");
            }

            for (var s = 0; s < entry.Scopes.Count; s++)
            {
                if (!ApiScopes.All.Contains(entry.Scopes[s], StringComparer.Ordinal))
                {
                    errors.Add($"{path}:{nameof(ApiKeyEntry.Scopes)}:{s} '{entry.Scopes[s]}' is not a scope; the scopes are {string.Join(", ", ApiScopes.All)}.");
                }
            }
        }

        if (options.QueryResultMaxAge < options.QueryResultRefresh)
        {
            errors.Add($"{ServingOptions.SectionName}:{nameof(ServingOptions.QueryResultMaxAge)} ({options.QueryResultMaxAge}) must be at least "
                + $"{ServingOptions.SectionName}:{nameof(ServingOptions.QueryResultRefresh)} ({options.QueryResultRefresh}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
