using System.Diagnostics.CodeAnalysis;
using Lambda.Shared.Events;

namespace Lambda.Shared.Catalog;

/// <summary>
/// The catalog spelling of an optional field's default (<c>type? = value</c>): strings and timestamps in single
/// quotes (<c>''</c> for a quote, as in <c>where:</c>), numbers and <c>true</c>/<c>false</c> bare.
/// </summary>
public static class FieldDefaults
{
    /// <summary>Parses a default of <paramref name="type"/>; false with a message saying what was expected.</summary>
    public static bool TryParse(string text, FieldType type, [NotNullWhen(true)] out FieldValue? value, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = null;
        error = null;
        var quoted = text.Length >= 2 && text[0] == '\'' && text[^1] == '\'';
        if (type.Kind is FieldKind.String or FieldKind.Timestamp)
        {
            if (!quoted)
            {
                error = $"default '{text}' of a {type} field must be in single quotes, e.g. {(type.Kind == FieldKind.String ? "'unknown'" : "'2026-01-01T00:00:00Z'")}";
                return false;
            }

            text = text[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        if (quoted && type.Kind is not (FieldKind.String or FieldKind.Timestamp))
        {
            error = $"default {text} of a {type} field must not be quoted";
            return false;
        }

        if (type.Kind == FieldKind.Bool && text is not ("true" or "false"))
        {
            error = $"default '{text}' is not a bool; expected true or false";
            return false;
        }

        if (!FieldValue.TryParse(text, type, out var parsed))
        {
            error = $"default '{text}' is not a valid {type} value";
            return false;
        }

        value = parsed;
        return true;
    }

    /// <summary>The catalog spelling of <paramref name="value"/> (what <see cref="TryParse"/> reads back).</summary>
    public static string Format(FieldValue value) => value.Type.Kind is FieldKind.String or FieldKind.Timestamp
        ? $"'{value.ToCanonicalString().Replace("'", "''", StringComparison.Ordinal)}'"
        : value.ToCanonicalString();
}
