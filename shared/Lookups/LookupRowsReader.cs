using System.Text;
using System.Text.Json;
using Lambda.Shared.Events;

namespace Lambda.Shared.Lookups;

/// <summary>
/// Turns published reference data (CSV with a header line, a JSON array of objects, or cells read from another format)
/// into typed <see cref="LookupRow"/>s of one lookup. Every problem is a <see cref="LookupPublishException"/> naming the
/// column and the line or row: a missing key column, an unknown column, a cell of the wrong type, an empty key, two
/// rows for the same key (and valid_from), malformed CSV or JSON.
/// </summary>
public static class LookupRowsReader
{
    /// <summary>Reads CSV (RFC 4180: comma separated, double quotes, first line the column names). An empty value cell is null.</summary>
    public static IReadOnlyList<LookupRow> FromCsv(LookupDefinition lookup, string text)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(text);
        var lines = CsvRecords(text).ToList();
        if (lines.Count == 0)
        {
            throw new LookupPublishException("body", $"the CSV is empty; the first line names the columns ({string.Join(", ", lookup.ColumnNames)})");
        }

        var header = lines[0].Cells.Select(c => c.Trim()).ToArray();
        var rows = new List<(string, IReadOnlyList<string?>)>();
        foreach (var (line, cells) in lines.Skip(1))
        {
            if (cells.Count == 1 && cells[0].Length == 0)
            {
                continue;
            }

            if (cells.Count != header.Length)
            {
                throw new LookupPublishException("body", $"CSV line {line} has {cells.Count} cells; the header has {header.Length}");
            }

            rows.Add(($"line {line}", cells.Select(c => c.Length == 0 ? null : c).ToArray()));
        }

        return FromCells(lookup, header, rows);
    }

    /// <summary>Reads a JSON array of objects, one per row (property names are column names; strings, numbers, booleans or null).</summary>
    public static IReadOnlyList<LookupRow> FromJson(LookupDefinition lookup, ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            throw new LookupPublishException("body", $"the body is not valid JSON (line {ex.LineNumber + 1}): expected an array of row objects");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new LookupPublishException("body", "the body must be a JSON array of row objects, e.g. [{\"country\":\"DE\",\"region\":\"EU\"}]");
            }

            var columns = lookup.ColumnNames.ToArray();
            var rows = new List<(string, IReadOnlyList<string?>)>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                index++;
                if (element.ValueKind != JsonValueKind.Object)
                {
                    throw new LookupPublishException("body", $"row {index} is not a JSON object");
                }

                var cells = new string?[columns.Length];
                foreach (var property in element.EnumerateObject())
                {
                    var c = Array.IndexOf(columns, property.Name);
                    if (c < 0)
                    {
                        throw new LookupPublishException(property.Name, $"row {index}: '{property.Name}' is not a column of lookup '{lookup.Name}' ({string.Join(", ", columns)})");
                    }

                    cells[c] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        JsonValueKind.Null => null,
                        _ => throw new LookupPublishException(property.Name, $"row {index}: column '{property.Name}' must be a string, number, boolean or null"),
                    };
                }

                foreach (var required in lookup.Keys.Select(k => k.Name).Append(LookupDefinition.ValidFromColumn).Where(n => Array.IndexOf(columns, n) >= 0))
                {
                    if (!element.TryGetProperty(required, out _))
                    {
                        throw new LookupPublishException(required, $"row {index}: key column '{required}' is missing");
                    }
                }

                rows.Add(($"row {index}", cells));
            }

            return FromCells(lookup, columns, rows);
        }
    }

    /// <summary>Reads rows given as text cells under <paramref name="header"/> (null: an empty cell); <c>where</c> names each row in messages.</summary>
    public static IReadOnlyList<LookupRow> FromCells(LookupDefinition lookup, IReadOnlyList<string> header, IEnumerable<(string Where, IReadOnlyList<string?> Cells)> rows)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var known = lookup.ColumnNames.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            if (!known.Contains(header[i]))
            {
                throw new LookupPublishException(header[i], $"'{header[i]}' is not a column of lookup '{lookup.Name}' ({string.Join(", ", lookup.ColumnNames)})");
            }

            if (header.Take(i).Contains(header[i], StringComparer.Ordinal))
            {
                throw new LookupPublishException(header[i], $"column '{header[i]}' appears twice");
            }
        }

        var keyIndex = lookup.Keys.Select(k => IndexOf(header, k.Name, "key column", lookup)).ToArray();
        var validIndex = lookup.Versioning == LookupVersioning.None ? -1 : IndexOf(header, LookupDefinition.ValidFromColumn, "versioning column", lookup);
        var valueIndex = lookup.Values.Select(v => IndexOf(header, v.Name, "value column", lookup)).ToArray();
        var result = new List<LookupRow>();
        var seen = new Dictionary<(string Key, long? From), string>();
        foreach (var (where, cells) in rows)
        {
            var keys = new FieldValue[keyIndex.Length];
            for (var k = 0; k < keys.Length; k++)
            {
                var column = lookup.Keys[k];
                var text = cells[keyIndex[k]];
                if (string.IsNullOrEmpty(text))
                {
                    throw new LookupPublishException(column.Name, $"{where}: key column '{column.Name}' is empty");
                }

                keys[k] = Parse(text, column, where);
            }

            long? from = null;
            if (validIndex >= 0)
            {
                var text = cells[validIndex];
                if (string.IsNullOrEmpty(text))
                {
                    throw new LookupPublishException(LookupDefinition.ValidFromColumn, $"{where}: {LookupDefinition.ValidFromColumn} is empty");
                }

                if (!LookupValidFrom.TryParse(text, lookup.Versioning, out var ms, out var error))
                {
                    throw new LookupPublishException(LookupDefinition.ValidFromColumn, $"{where}: {LookupDefinition.ValidFromColumn}: {error}");
                }

                from = ms;
            }

            var values = new FieldValue[valueIndex.Length];
            for (var v = 0; v < values.Length; v++)
            {
                var column = lookup.Values[v];
                var text = cells[valueIndex[v]];
                values[v] = text is null ? FieldValue.Null(column.Type) : Parse(text, column, where);
            }

            var identity = (string.Join("\u001f", keys.Select(k => k.ToCanonicalString())), from);
            if (seen.TryGetValue(identity, out var first))
            {
                throw new LookupPublishException(lookup.Keys[0].Name,
                    $"{where} repeats the key of {first} ({string.Join(", ", keys.Select(k => k.ToCanonicalString()))}{(from is null ? string.Empty : ", valid_from " + LookupValidFrom.Format(from.Value, lookup.Versioning))})");
            }

            seen.Add(identity, where);
            result.Add(new LookupRow(keys, from, values));
        }

        return result;
    }

    private static int IndexOf(IReadOnlyList<string> header, string column, string what, LookupDefinition lookup)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new LookupPublishException(column, $"{what} '{column}' of lookup '{lookup.Name}' is missing (columns: {string.Join(", ", lookup.ColumnNames)})");
    }

    private static FieldValue Parse(string text, LookupColumn column, string where) =>
        FieldValue.TryParse(text, column.Type, out var value)
            ? value
            : throw new LookupPublishException(column.Name, $"{where}: column '{column.Name}' is {column.Type}; '{text}' is not");

    /// <summary>RFC 4180 records with their 1-based starting line.</summary>
    private static IEnumerable<(int Line, List<string> Cells)> CsvRecords(string text)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i += 2;
                    continue;
                }

                if (c == '"')
                {
                    quoted = false;
                    if (i + 1 < text.Length && text[i + 1] is not (',' or '\r' or '\n'))
                    {
                        throw new LookupPublishException("body", $"CSV line {line}: a quoted cell must end at a comma or the end of the line");
                    }
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    cell.Append(c);
                }

                i++;
                continue;
            }

            switch (c)
            {
                case '"' when cell.Length == 0:
                    quoted = true;
                    break;
                case '"':
                    throw new LookupPublishException("body", $"CSV line {line}: a double quote inside an unquoted cell (quote the whole cell)");
                case ',':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    yield return (start, cells);
                    cells = [];
                    line++;
                    start = line;
                    break;
                default:
                    cell.Append(c);
                    break;
            }

            i++;
        }

        if (quoted)
        {
            throw new LookupPublishException("body", $"CSV line {start}: a quoted cell is not closed");
        }

        if (cells.Count > 0 || cell.Length > 0)
        {
            cells.Add(cell.ToString());
            yield return (start, cells);
        }
    }
}
