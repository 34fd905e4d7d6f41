using System.Text;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// Rows of one query as they stream from the server (TabSeparatedWithNamesAndTypes). Dispose it
/// to release the connection; disposing before the end abandons the rest of the result.
/// </summary>
public sealed class ClickHouseReader : IAsyncDisposable, IDisposable
{
    private const int MaxErrorBytes = 64 * 1024;

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly TabSeparatedLineReader _lines;
    private readonly ClickHouseResultSchema _schema;
    private readonly string? _exceptionTag;
    private ClickHouseRow? _current;
    private long _rowsRead;

    private ClickHouseReader(
        HttpResponseMessage response, Stream body, TabSeparatedLineReader lines, ClickHouseResultSchema schema, string? exceptionTag)
    {
        _response = response;
        _body = body;
        _lines = lines;
        _schema = schema;
        _exceptionTag = exceptionTag;
    }

    /// <summary>The result's columns (empty for a statement that returns nothing).</summary>
    public IReadOnlyList<ClickHouseColumn> Columns => _schema.Columns;

    /// <summary>The row last read by <see cref="ReadAsync"/>.</summary>
    public ClickHouseRow Current => _current ?? throw new InvalidOperationException("Call ReadAsync (and check it returned true) before reading Current.");

    /// <summary>Rows read so far.</summary>
    public long RowsRead => _rowsRead;

    /// <summary>
    /// Moves to the next row; false at the end. Throws <see cref="ClickHouseException"/> when the
    /// connection fails or the server reports an error in the middle of the result.
    /// </summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        if (_schema.Columns.Count == 0 || !await NextLineAsync(cancellationToken).ConfigureAwait(false))
        {
            _current = null;
            return false;
        }

        var streamedError = IsStreamedError(_lines.Line.Span);
        var row = streamedError ? null : ClickHouseRow.Parse(_schema, _lines.Line.Span);
        if (row is null)
        {
            var rest = await RemainderAsync(cancellationToken).ConfigureAwait(false);
            throw streamedError || rest.Contains("Code: ", StringComparison.Ordinal)
                ? ClickHouseErrorParser.FromStreamedError(StripExceptionMarkers(rest, _exceptionTag))
                : new ClickHouseException(
                    $"Row {_rowsRead + 1} of the result does not have {_schema.Columns.Count} fields: "
                    + rest[..Math.Min(rest.Length, 500)]);
        }

        _current = row;
        _rowsRead++;
        return true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _lines.Dispose();
        await _body.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _lines.Dispose();
        _body.Dispose();
        _response.Dispose();
    }

    /// <summary>
    /// Reads the two header lines (names, types) of a successful response and returns the reader;
    /// <paramref name="serverTimeZone"/> is asked only if a DateTime column has no zone of its own.
    /// </summary>
    internal static async Task<ClickHouseReader> OpenAsync(
        HttpResponseMessage response,
        Func<CancellationToken, ValueTask<string?>> serverTimeZone,
        CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var lines = new TabSeparatedLineReader(body);
        var exceptionTag = response.Headers.TryGetValues("X-ClickHouse-Exception-Tag", out var tags) ? tags.FirstOrDefault() : null;
        try
        {
            var columns = new List<ClickHouseColumn>();
            if (await ReadLineMappingErrorsAsync(lines, cancellationToken).ConfigureAwait(false))
            {
                if (ClickHouseErrorParser.StartsWithException(lines.Line.Span) || IsExceptionMarker(lines.Line.Span, exceptionTag))
                {
                    var text = await lines.ReadRemainderAsync(MaxErrorBytes, cancellationToken).ConfigureAwait(false);
                    throw ClickHouseErrorParser.FromStreamedError(StripExceptionMarkers(text, exceptionTag));
                }

                var names = SplitHeader(lines.Line.Span);
                if (!await ReadLineMappingErrorsAsync(lines, cancellationToken).ConfigureAwait(false))
                {
                    throw new ClickHouseException("The result ended after the column names, before the column types.");
                }

                var types = SplitHeader(lines.Line.Span);
                if (types.Length != names.Length)
                {
                    var text = await lines.ReadRemainderAsync(MaxErrorBytes, cancellationToken).ConfigureAwait(false);
                    throw text.Contains("Code: ", StringComparison.Ordinal)
                        ? ClickHouseErrorParser.FromStreamedError(StripExceptionMarkers(text, exceptionTag))
                        : new ClickHouseException($"The result has {names.Length} column names but {types.Length} types.");
                }

                for (var i = 0; i < names.Length; i++)
                {
                    columns.Add(new ClickHouseColumn(names[i], types[i]));
                }
            }

            var schema = new ClickHouseResultSchema(columns);
            schema.ResolveTimeZones(schema.NeedsServerTimeZone ? await serverTimeZone(cancellationToken).ConfigureAwait(false) : null);

            return new ClickHouseReader(response, body, lines, schema, exceptionTag);
        }
        catch
        {
            lines.Dispose();
            await body.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask<bool> ReadLineMappingErrorsAsync(TabSeparatedLineReader lines, CancellationToken cancellationToken)
    {
        try
        {
            return await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new ClickHouseException(
                ClickHouseFailureKind.Network, $"The connection failed while reading the result: {ex.Message}", innerException: ex);
        }
    }

    private static string[] SplitHeader(ReadOnlySpan<byte> line)
    {
        var fields = new List<string>();
        foreach (var range in line.Split((byte)'\t'))
        {
            var escaped = line[range];
            var buffer = new byte[escaped.Length];
            var length = TabSeparatedEscaping.Unescape(escaped, buffer);
            fields.Add(Encoding.UTF8.GetString(buffer, 0, length));
        }

        return [.. fields];
    }

    /// <summary>
    /// Servers from 24.11 on (those that send <c>X-ClickHouse-Exception-Tag</c>) end a failed
    /// streamed body with <c>\r\n__exception__\r\n&lt;tag&gt;\r\n&lt;message&gt;\n&lt;length&gt; &lt;tag&gt;\r\n__exception__\r\n</c>.
    /// TabSeparated escapes every carriage return, so a line that is just <c>\r</c> opens that block.
    /// </summary>
    private static bool IsExceptionMarker(ReadOnlySpan<byte> line, string? exceptionTag) =>
        exceptionTag is not null && (line.SequenceEqual("\r"u8) || line.TrimEnd((byte)'\r').SequenceEqual("__exception__"u8));

    /// <summary>The error text without the framing lines of a tagged exception block.</summary>
    internal static string StripExceptionMarkers(string text, string? exceptionTag)
    {
        var kept = text.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line != "__exception__"
                && (exceptionTag is null || (line != exceptionTag && !line.EndsWith(" " + exceptionTag, StringComparison.Ordinal))));
        return string.Join('\n', kept).Trim();
    }

    private bool IsStreamedError(ReadOnlySpan<byte> line) =>
        IsExceptionMarker(line, _exceptionTag)
        || (_schema.Columns.Count == 1 && ClickHouseErrorParser.StartsWithException(line));

    private ValueTask<bool> NextLineAsync(CancellationToken cancellationToken) =>
        ReadLineMappingErrorsAsync(_lines, cancellationToken);

    private async Task<string> RemainderAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _lines.ReadRemainderAsync(MaxErrorBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new ClickHouseException(
                ClickHouseFailureKind.Network, $"The connection failed while reading the result: {ex.Message}", innerException: ex);
        }
    }
}
