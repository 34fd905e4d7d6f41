using System.Globalization;
using System.Text.Json;

namespace Lambda.Testing.Oracles;

/// <summary>
/// The derived fields (<c>derive:</c>) of the default catalog (<c>shared/catalog.yaml</c>) written out over the raw JSON
/// event with plain C# decimal arithmetic, for <see cref="JsonViewOracle"/>s; a derived field added there without one here
/// fails loudly.
/// </summary>
public static class DefaultCatalogDerivations
{
    /// <summary>The canonical text of derived field <paramref name="field"/> of event <paramref name="root"/>.</summary>
    public static string Canonical(string field, JsonElement root) => field switch
    {
        // bucket(amount, 50): the start of the 50.00-wide band, toward minus infinity, with amount's 2 decimal places.
        "amount_band" => (Math.Floor(root.GetProperty("amount").GetDecimal() / 50m) * 50m).ToString("F2", CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a derived field of the default catalog: write its computation here"),
    };
}
