using System.Text.Json;
using Lambda.Shared.Events;

namespace Lambda.ServingLayer.Alerts.Storage;

/// <summary>
/// The text that names a group of a rule in <c>alert_states</c> and <c>alert_history</c>: <c>""</c> for a rule without
/// <c>group_by</c>, else a JSON object of the group's dimension values in <c>group_by</c> order
/// (<c>{"user_id":"u-1"}</c>), so equal groups always have equal keys.
/// </summary>
public static class AlertGroupKey
{
    /// <summary>The key of a rule without groups.</summary>
    public const string Whole = "";

    /// <summary>The key of the group with <paramref name="values"/> (canonical text) for <paramref name="names"/>.</summary>
    public static string Format(IReadOnlyList<string> names, IReadOnlyList<FieldValue> values)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(values);
        if (names.Count == 0)
        {
            return Whole;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var i = 0; i < names.Count; i++)
            {
                if (values[i].Type.Kind == 0)
                {
                    writer.WriteNull(names[i]);
                }
                else
                {
                    writer.WriteString(names[i], values[i].ToCanonicalString());
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The dimension values of <paramref name="key"/>; null for <see cref="Whole"/>.</summary>
    public static IReadOnlyDictionary<string, string?>? Parse(string key) =>
        string.IsNullOrEmpty(key) ? null : JsonSerializer.Deserialize<Dictionary<string, string?>>(key);
}
