using System.Text.Json;
using DuckDB.NET.Data;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// Lets through exactly one SELECT statement (any query form: <c>WITH</c>, <c>VALUES</c>, set operations, <c>FROM</c>
/// first). DuckDB's own parser judges it through <c>json_serialize_sql</c>, which serializes SELECT statements only and
/// reports any other kind (<c>COPY</c>, <c>EXPORT</c>, <c>ATTACH</c>, <c>INSTALL</c>, <c>LOAD</c>, <c>SET</c>,
/// <c>CREATE</c>, <c>INSERT</c>, <c>PRAGMA</c>, ...) as an error instead: no hand-written SQL scanner to fool with
/// comments or quoting. Reading files outside the snapshot is refused by the session's settings
/// (<see cref="AdHocLockdown"/>), not here.
/// </summary>
public static class AdHocStatementGuard
{
    /// <summary>Throws <see cref="AdHocQueryRefusedException"/> unless <paramref name="sql"/> is exactly one SELECT.</summary>
    public static void EnsureSingleSelect(DuckDBConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        using var command = connection.CreateCommand();
        // A literal, not a parameter: json_serialize_sql takes a constant only.
        command.CommandText = $"SELECT json_serialize_sql({AdHocSession.QuoteString(sql)})";
        var json = command.ExecuteScalar() as string
            ?? throw new AdHocQueryRefusedException("refused: DuckDB could not judge the statement (json_serialize_sql returned nothing).");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.True)
        {
            var type = root.TryGetProperty("error_type", out var t) ? t.GetString() : null;
            var message = root.TryGetProperty("error_message", out var m) ? m.GetString() : null;
            throw string.Equals(type, "parser", StringComparison.OrdinalIgnoreCase)
                ? new AdHocQueryRefusedException($"refused: the SQL does not parse: {message}")
                : new AdHocQueryRefusedException(
                    "refused: ad hoc SQL is read-only and must be exactly one SELECT statement (no COPY, EXPORT, ATTACH, INSTALL, LOAD, SET, PRAGMA, "
                    + $"CREATE or writes); DuckDB says: {message}");
        }

        var count = root.TryGetProperty("statements", out var statements) && statements.ValueKind == JsonValueKind.Array ? statements.GetArrayLength() : 0;
        if (count != 1)
        {
            throw new AdHocQueryRefusedException($"refused: ad hoc SQL must be exactly one SELECT statement; this text holds {count}.");
        }
    }
}
