using System.Text.RegularExpressions;

namespace Lambda.IntegrationTests.Compose;

/// <summary>
/// Compose's variable interpolation, the forms docker-compose.yml uses: <c>${NAME}</c>, <c>${NAME:-default}</c> (default
/// when unset or empty), <c>${NAME:?message}</c> (an error when unset or empty) and <c>$$</c> for a literal <c>$</c>.
/// </summary>
internal static partial class ComposeInterpolation
{
    /// <summary>The value compose would give; throws <see cref="ComposeVariableException"/> for a required variable left unset.</summary>
    public static string Apply(string value, IReadOnlyDictionary<string, string> variables) =>
        Reference().Replace(value, match =>
        {
            if (match.Value == "$$")
            {
                return "$";
            }

            var name = match.Groups["name"].Value;
            var set = variables.TryGetValue(name, out var given) && given.Length > 0;
            return match.Groups["op"].Value switch
            {
                ":-" => set ? given! : match.Groups["arg"].Value,
                ":?" => set ? given! : throw new ComposeVariableException(name, match.Groups["arg"].Value),
                _ => set ? given! : "",
            };
        });

    /// <summary>The variables <paramref name="value"/> refers to, with whether each is required (<c>:?</c>).</summary>
    public static IEnumerable<(string Name, bool Required, bool HasDefault)> References(string value) =>
        Reference().Matches(value).Where(m => m.Value != "$$")
            .Select(m => (m.Groups["name"].Value, m.Groups["op"].Value == ":?", m.Groups["op"].Value == ":-"));

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Reference();
}
