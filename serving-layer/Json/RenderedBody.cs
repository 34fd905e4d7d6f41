using System.Text.Json;
using Lambda.ServingLayer.Querying;
using Microsoft.IO;

namespace Lambda.ServingLayer.Json;

/// <summary>
/// The JSON body of one answer that several responses share (<see cref="ViewQueryResultCache"/>): rendered once, by
/// the first response that needs it, then copied out by all of them. (Two first responses may both render it; they
/// write the same bytes.)
/// </summary>
internal sealed class RenderedBody
{
    /// <summary>
    /// Rendering goes through pooled blocks, so a large answer's body is allocated once, at its final size, instead of
    /// by a doubling buffer and a copy (three times its size, all of it large objects that count towards full GCs).
    /// </summary>
    private static readonly RecyclableMemoryStreamManager Buffers = new(new RecyclableMemoryStreamManager.Options
    {
        // What the pool keeps between renderings (the library's default keeps everything ever returned).
        MaximumSmallPoolFreeBytes = 64L * 1024 * 1024,
        MaximumLargePoolFreeBytes = 64L * 1024 * 1024,
    });

    private byte[]? _bytes;

    /// <summary>The body of <paramref name="result"/> (every result sharing this instance renders identically).</summary>
    public async ValueTask<byte[]> GetAsync(ViewQueryResult result, CancellationToken cancellationToken)
    {
        if (_bytes is { } bytes)
        {
            return bytes;
        }

        await using var buffer = Buffers.GetStream(nameof(RenderedBody));
        // As a buffer writer: the JSON goes straight into the pooled blocks, with no buffer of the writer's own.
        await using (var writer = new Utf8JsonWriter((System.Buffers.IBufferWriter<byte>)buffer, ViewQueryResultWriter.WriterOptions))
        {
            await ViewQueryResultWriter.WriteAsync(writer, result, cancellationToken).ConfigureAwait(false);
        }

        // The one copy kept: the pooled blocks go back when the stream is disposed.
        return _bytes = buffer.ToArray();
    }
}
