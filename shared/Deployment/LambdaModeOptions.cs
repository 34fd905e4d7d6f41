namespace Lambda.Shared.Deployment;

/// <summary>
/// The deployment's processing model, section <c>Lambda</c> (<c>Lambda:Mode</c>, env <c>Lambda__Mode</c>). Every service
/// reads it and all of them must agree: the root README's "Lambda or Kappa" section says how to switch a running deployment.
/// </summary>
public sealed class LambdaModeOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Lambda";

    /// <summary>The configuration value of <see cref="LambdaMode.Lambda"/>.</summary>
    public const string LambdaName = "lambda";

    /// <summary>The configuration value of <see cref="LambdaMode.Kappa"/>.</summary>
    public const string KappaName = "kappa";

    /// <summary>Why a recompute (scheduled, requested or a new view's backfill) is refused in Kappa mode; the API's problem says it too.</summary>
    public const string RecomputesOffInKappa =
        "Recomputes are off in Kappa mode (Lambda:Mode=kappa): the speed layer builds every view by replaying the master dataset. Switch the deployment to Lambda:Mode=lambda to recompute.";

    /// <summary>
    /// <c>lambda</c> (default: batch recomputes merged with the speed deltas) or <c>kappa</c> (the speed layer replays the
    /// master dataset; no recomputes; answers from the speed tables alone). Case-insensitive.
    /// </summary>
    public string Mode { get; init; } = LambdaName;

    /// <summary>The parsed <see cref="Mode"/>; only meaningful once the options validated.</summary>
    public LambdaMode Parsed => TryParse(Mode, out var mode) ? mode : LambdaMode.Lambda;

    /// <summary>Whether the deployment runs in Kappa mode.</summary>
    public bool IsKappa => Parsed == LambdaMode.Kappa;

    /// <summary>Parses a configuration value (<see cref="LambdaName"/> or <see cref="KappaName"/>, any case).</summary>
    public static bool TryParse(string? text, out LambdaMode mode)
    {
        mode = LambdaMode.Lambda;
        if (string.Equals(text?.Trim(), LambdaName, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(text?.Trim(), KappaName, StringComparison.OrdinalIgnoreCase))
        {
            mode = LambdaMode.Kappa;
            return true;
        }

        return false;
    }
}
