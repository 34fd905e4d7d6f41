using System.Diagnostics.CodeAnalysis;

namespace Lambda.Shared.Lookups;

/// <summary>The catalog spellings of <see cref="LookupMissingPolicy"/>: <c>null</c>, <c>drop</c>, <c>dead_letter</c>.</summary>
public static class LookupMissingPolicyNames
{
    /// <summary>The catalog spelling.</summary>
    public static string ToName(this LookupMissingPolicy policy) => policy switch
    {
        LookupMissingPolicy.Null => "null",
        LookupMissingPolicy.Drop => "drop",
        LookupMissingPolicy.DeadLetter => "dead_letter",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    /// <summary>Parses a catalog spelling (exact, lower case).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out LookupMissingPolicy policy)
    {
        (var ok, policy) = text switch
        {
            "null" => (true, LookupMissingPolicy.Null),
            "drop" => (true, LookupMissingPolicy.Drop),
            "dead_letter" => (true, LookupMissingPolicy.DeadLetter),
            _ => (false, LookupMissingPolicy.Null),
        };
        return ok;
    }
}
