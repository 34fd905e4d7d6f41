using System.Buffers;
using System.Text;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// Splits a TabSeparated response into lines. Line feeds inside values are escaped, so every raw
/// line feed ends a row; a line is handed out as a view into the buffer, valid until the next read.
/// </summary>
internal sealed class TabSeparatedLineReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _scan;
    private int _end;
    private bool _endOfStream;

    public TabSeparatedLineReader(Stream stream, int initialBufferSize = 64 * 1024)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(initialBufferSize);
    }

    /// <summary>The line last read, without its line feed.</summary>
    public ReadOnlyMemory<byte> Line { get; private set; }

    /// <summary>Reads the next line; false at the end of the stream. A last line without a line feed still counts.</summary>
    public async ValueTask<bool> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_scan, _end - _scan).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineEnd = _scan + newline;
                Line = _buffer.AsMemory(_start, lineEnd - _start);
                _start = _scan = lineEnd + 1;
                return true;
            }

            _scan = _end;
            if (_endOfStream)
            {
                if (_start < _end)
                {
                    Line = _buffer.AsMemory(_start, _end - _start);
                    _start = _scan = _end;
                    return true;
                }

                Line = ReadOnlyMemory<byte>.Empty;
                return false;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The current line and everything after it, as text (at most <paramref name="maxBytes"/> bytes).</summary>
    public async Task<string> ReadRemainderAsync(int maxBytes, CancellationToken cancellationToken)
    {
        using var collected = new MemoryStream();
        collected.Write(Line.Span);
        if (_start < _end)
        {
            collected.WriteByte((byte)'\n');
            collected.Write(_buffer, _start, _end - _start);
        }

        _start = _scan = _end = 0;
        while (!_endOfStream && collected.Length < maxBytes)
        {
            await FillAsync(cancellationToken).ConfigureAwait(false);
            collected.Write(_buffer, 0, _end);
            _end = 0;
        }

        return Encoding.UTF8.GetString(collected.GetBuffer(), 0, (int)Math.Min(collected.Length, maxBytes));
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _scan -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _endOfStream = true;
        }
        else
        {
            _end += read;
        }
    }
}
