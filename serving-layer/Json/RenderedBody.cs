using System.Text.Json;
using Lambda.ServingLayer.Querying;

namespace Lambda.ServingLayer.Json;

/// <summary>
/// The JSON body of one answer that several responses share (<see cref="ViewQueryResultCache"/>): rendered once, by
/// the first response that needs it, then copied out by all of them. (Two first responses may both render it; they
/// write the same bytes.)
/// </summary>
internal sealed class RenderedBody
{
    private byte[]? _bytes;

    /// <summary>The body of <paramref name="result"/> (every result sharing this instance renders identically).</summary>
    public async ValueTask<byte[]> GetAsync(ViewQueryResult result, CancellationToken cancellationToken)
    {
        if (_bytes is { } bytes)
        {
            return bytes;
        }

        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, ViewQueryResultWriter.WriterOptions))
        {
            await ViewQueryResultWriter.WriteAsync(writer, result, cancellationToken).ConfigureAwait(false);
        }

        return _bytes = buffer.ToArray();
    }
}
