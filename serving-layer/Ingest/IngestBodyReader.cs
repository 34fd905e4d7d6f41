using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Lambda.ServingLayer.Querying;
using Microsoft.Net.Http.Headers;

namespace Lambda.ServingLayer.Ingest;

/// <summary>
/// Splits an ingest body into the raw bytes of its records (validation of each record is the event parser's
/// job). A JSON array that is not well-formed makes the whole body unreadable; in NDJSON each line stands alone,
/// so a broken line is just a rejected record.
/// </summary>
public static class IngestBodyReader
{
    /// <summary>The name errors about the body use.</summary>
    public const string BodyParameter = "body";

    /// <summary>The name errors about the media type use.</summary>
    public const string ContentTypeParameter = "Content-Type";

    private static readonly string[] NdJsonMediaTypes =
        ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonl", "application/jsonlines", "application/x-jsonlines"];

    /// <summary>The media types accepted, for documentation and error messages.</summary>
    public static IReadOnlyList<string> AcceptedMediaTypes { get; } = ["application/json", .. NdJsonMediaTypes];

    /// <summary>Maps a Content-Type header to a format; 415 naming the header otherwise.</summary>
    public static bool TryGetFormat(string? contentType, out IngestFormat format, [NotNullWhen(false)] out QueryParameterError? error)
    {
        format = IngestFormat.Json;
        error = null;
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType.Value is not { } type)
        {
            error = new QueryParameterError(
                ContentTypeParameter,
                $"Content-Type '{ViewQueryParser.Shorten(contentType)}' is missing or invalid; send application/json (an array of events) or application/x-ndjson (one event per line)",
                StatusCodes.Status415UnsupportedMediaType);
            return false;
        }

        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            error = new QueryParameterError(
                ContentTypeParameter,
                $"charset '{ViewQueryParser.Shorten(media.Charset.Value)}' is not supported; events are UTF-8",
                StatusCodes.Status415UnsupportedMediaType);
            return false;
        }

        if (NdJsonMediaTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            format = IngestFormat.NdJson;
            return true;
        }

        if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            format = IngestFormat.Json;
            return true;
        }

        error = new QueryParameterError(
            ContentTypeParameter,
            $"Content-Type '{ViewQueryParser.Shorten(type)}' is not supported; send one of {string.Join(", ", AcceptedMediaTypes)}",
            StatusCodes.Status415UnsupportedMediaType);
        return false;
    }

    /// <summary>Splits <paramref name="body"/> into records.</summary>
    /// <param name="body">The whole request body.</param>
    /// <param name="format">From the Content-Type.</param>
    /// <param name="maxRecords">More records than this is an error (413).</param>
    /// <param name="records">The records' bytes, in order.</param>
    /// <param name="error">Why the body cannot be read (naming <c>body</c>).</param>
    public static bool TrySplit(
        ReadOnlyMemory<byte> body,
        IngestFormat format,
        int maxRecords,
        out IReadOnlyList<ReadOnlyMemory<byte>> records,
        [NotNullWhen(false)] out QueryParameterError? error)
    {
        records = [];
        error = null;
        var content = TrimStart(body);
        if (content.Length == 0)
        {
            error = Body("the request body is empty; send a JSON array of events or NDJSON (one event object per line)");
            return false;
        }

        var first = content.Span[0];
        if (format == IngestFormat.Json && first == (byte)'[')
        {
            return TrySplitArray(content, maxRecords, out records, out error);
        }

        if (format == IngestFormat.Json && first != (byte)'{')
        {
            error = Body("an application/json body must be a JSON array of event objects (or event objects one per line)");
            return false;
        }

        return TrySplitLines(content, maxRecords, out records, out error);
    }

    private static bool TrySplitArray(ReadOnlyMemory<byte> content, int maxRecords, out IReadOnlyList<ReadOnlyMemory<byte>> records, [NotNullWhen(false)] out QueryParameterError? error)
    {
        var list = new List<ReadOnlyMemory<byte>>();
        records = list;
        error = null;
        var reader = new Utf8JsonReader(content.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (list.Count == maxRecords)
                {
                    error = TooMany(maxRecords);
                    return false;
                }

                list.Add(content[start..(int)reader.BytesConsumed]);
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                error = Body("the JSON array is not closed");
                return false;
            }

            if (reader.Read())
            {
                error = Body("the JSON array is followed by more content");
                return false;
            }
        }
        catch (JsonException ex)
        {
            var line = ((ex.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture);
            var position = ((ex.BytePositionInLine ?? 0) + 1).ToString(CultureInfo.InvariantCulture);
            error = Body($"the body is not a well-formed JSON array (line {line}, byte {position}); nothing was accepted");
            return false;
        }

        return true;
    }

    private static bool TrySplitLines(ReadOnlyMemory<byte> content, int maxRecords, out IReadOnlyList<ReadOnlyMemory<byte>> records, [NotNullWhen(false)] out QueryParameterError? error)
    {
        var list = new List<ReadOnlyMemory<byte>>();
        records = list;
        error = null;
        var rest = content;
        while (!rest.IsEmpty)
        {
            var newline = rest.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? ReadOnlyMemory<byte>.Empty : rest[(newline + 1)..];
            var trimmed = Trim(line);
            if (trimmed.IsEmpty)
            {
                continue;
            }

            if (list.Count == maxRecords)
            {
                error = TooMany(maxRecords);
                return false;
            }

            list.Add(trimmed);
        }

        return true;
    }

    private static QueryParameterError TooMany(int maxRecords) =>
        new(BodyParameter, $"the body holds more than {maxRecords.ToString(CultureInfo.InvariantCulture)} events; split it into smaller requests", StatusCodes.Status413PayloadTooLarge);

    private static QueryParameterError Body(string message) => new(BodyParameter, message);

    private static ReadOnlyMemory<byte> TrimStart(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        var start = span.StartsWith("\uFEFF"u8) ? 3 : 0;
        while (start < span.Length && IsWhiteSpace(span[start]))
        {
            start++;
        }

        return body[start..];
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        int start = 0, end = span.Length;
        while (start < end && IsWhiteSpace(span[start]))
        {
            start++;
        }

        while (end > start && IsWhiteSpace(span[end - 1]))
        {
            end--;
        }

        return line[start..end];
    }

    private static bool IsWhiteSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
