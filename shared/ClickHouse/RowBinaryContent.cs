using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// An insert body produced while it is sent (chunked), optionally gzip-compressed. It can be
/// sent once only: if the caller's row writer fails, that failure is kept so the client can
/// throw it as is rather than as a network error.
/// </summary>
internal sealed class RowBinaryContent : HttpContent
{
    private readonly Func<RowBinaryWriter, CancellationToken, ValueTask> _writeRows;
    private readonly bool _compress;
    private int _sent;

    public RowBinaryContent(Func<RowBinaryWriter, CancellationToken, ValueTask> writeRows, bool compress)
    {
        _writeRows = writeRows;
        _compress = compress;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (compress)
        {
            Headers.ContentEncoding.Add("gzip");
        }
    }

    /// <summary>The exception the caller's row writer threw, if it did.</summary>
    public Exception? WriterException { get; private set; }

    /// <summary>Uncompressed bytes produced.</summary>
    public long BytesWritten { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _sent, 1) != 0)
        {
            // The handler must not resend on its own: the rows may not be reproducible.
            throw new InvalidOperationException("An insert body can be sent only once.");
        }

        var gzip = _compress ? new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true) : null;
        using (var writer = new RowBinaryWriter(gzip ?? stream, RowBinaryWriter.DefaultFlushThreshold))
        {
            try
            {
                await _writeRows(writer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!writer.SinkFailed)
            {
                WriterException = ex;
                throw;
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            BytesWritten = writer.BytesWritten;
        }

        // Only a complete body gets the gzip trailer. A body cut short (the writer failed, the call was
        // cancelled, the process died) must stay an invalid gzip stream: ClickHouse 18.16 stores the
        // rows of a chunked body that ends early without its last chunk as if it were complete, but it
        // rejects a gzip stream without its trailer, so a compressed insert is all or nothing.
        if (gzip is not null)
        {
            await gzip.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
