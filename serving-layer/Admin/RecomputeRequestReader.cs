using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Lambda.ServingLayer.Querying;

namespace Lambda.ServingLayer.Admin;

/// <summary>
/// Reads the optional body of <c>POST /api/admin/batch/recompute</c>: <c>{"from":"2026-11-01","to":"2026-11-03"}</c>
/// (a backfill of those UTC days, both inclusive) and/or <c>{"mode":"incremental|full|backfill"}</c>. No body means an
/// incremental recompute.
/// </summary>
public static class RecomputeRequestReader
{
    private static readonly string[] Properties = ["mode", "from", "to"];

    /// <summary>Parses the body (empty = incremental).</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out RecomputeCommand? command, [NotNullWhen(false)] out QueryParameterError? error)
    {
        command = null;
        error = null;
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            command = new RecomputeCommand(RecomputeCommand.Incremental, null, null);
            return true;
        }

        string? mode = null, fromText = null, toText = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = new QueryParameterError("body", "the body must be a JSON object like {\"from\":\"2026-11-01\",\"to\":\"2026-11-03\"}, or empty");
                return false;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!Properties.Contains(property.Name, StringComparer.Ordinal))
                {
                    error = new QueryParameterError(
                        ViewQueryParser.Shorten(property.Name),
                        $"unknown property '{ViewQueryParser.Shorten(property.Name)}'; the body may hold {string.Join(", ", Properties)}");
                    return false;
                }

                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    error = new QueryParameterError(property.Name, $"'{property.Name}' must be a string, not {property.Value.ValueKind.ToString().ToLowerInvariant()}");
                    return false;
                }

                var value = property.Value.GetString();
                switch (property.Name)
                {
                    case "mode": mode = value; break;
                    case "from": fromText = value; break;
                    default: toText = value; break;
                }
            }
        }
        catch (JsonException ex)
        {
            error = new QueryParameterError("body", $"the body is not valid JSON: {ex.Message}");
            return false;
        }

        if (!TryParseDay("from", fromText, out var from, out error) || !TryParseDay("to", toText, out var to, out error))
        {
            return false;
        }

        if ((from is null) != (to is null))
        {
            var missing = from is null ? "from" : "to";
            error = new QueryParameterError(missing, $"'{missing}' is missing: a backfill needs both 'from' and 'to' (UTC days, inclusive)");
            return false;
        }

        if (from > to)
        {
            error = new QueryParameterError("to", $"'to' ({to:yyyy-MM-dd}) is before 'from' ({from:yyyy-MM-dd})");
            return false;
        }

        mode ??= from is null ? RecomputeCommand.Incremental : RecomputeCommand.Backfill;
        if (!RecomputeCommand.Modes.Contains(mode, StringComparer.Ordinal))
        {
            error = new QueryParameterError("mode", $"'mode' = '{ViewQueryParser.Shorten(mode)}' is not one of {string.Join(", ", RecomputeCommand.Modes)}");
            return false;
        }

        if (mode == RecomputeCommand.Backfill && from is null)
        {
            error = new QueryParameterError("from", "a backfill needs 'from' and 'to' (UTC days, inclusive)");
            return false;
        }

        if (mode != RecomputeCommand.Backfill && from is not null)
        {
            error = new QueryParameterError("mode", $"'from'/'to' select days for a backfill; mode '{mode}' takes no range");
            return false;
        }

        command = new RecomputeCommand(mode, from, to);
        return true;
    }

    private static bool TryParseDay(string name, string? text, out DateOnly? day, [NotNullWhen(false)] out QueryParameterError? error)
    {
        day = null;
        error = null;
        if (text is null)
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            day = parsed;
            return true;
        }

        error = new QueryParameterError(name, $"'{name}' = '{ViewQueryParser.Shorten(text)}' is not a date like 2026-11-25");
        return false;
    }
}
