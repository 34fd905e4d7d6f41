namespace Lambda.Shared.Measures;

/// <summary>
/// Integer counts per bin index of one sign of a <see cref="DDSketch"/>: a dense array over the occupied
/// index range, grown on demand. Counts are integers, so the content is the same whatever order values
/// arrived or partial sketches were merged in.
/// </summary>
internal sealed class SketchBins
{
    private const int InitialLength = 64;

    private long[] _counts = [];
    private int _offset;
    private int _minIndex = int.MaxValue;
    private int _maxIndex = int.MinValue;

    public bool IsEmpty => _minIndex > _maxIndex;

    /// <summary>Lowest occupied index (meaningless when empty).</summary>
    public int MinIndex => _minIndex;

    /// <summary>Highest occupied index (meaningless when empty).</summary>
    public int MaxIndex => _maxIndex;

    /// <summary>The count of bin <paramref name="index"/> (0 outside the occupied range).</summary>
    public long this[int index] => index < _minIndex || index > _maxIndex ? 0 : _counts[index - _offset];

    /// <summary>Number of bins with a non-zero count.</summary>
    public int NonEmptyBins
    {
        get
        {
            var n = 0;
            for (var i = _minIndex; i <= _maxIndex; i++)
            {
                if (_counts[i - _offset] != 0)
                {
                    n++;
                }
            }

            return n;
        }
    }

    public void Add(int index, long count)
    {
        if (index < _minIndex || index > _maxIndex)
        {
            Extend(index);
        }

        _counts[index - _offset] += count;
    }

    public void Merge(SketchBins other)
    {
        if (other.IsEmpty)
        {
            return;
        }

        Extend(other._minIndex);
        Extend(other._maxIndex);
        for (var i = other._minIndex; i <= other._maxIndex; i++)
        {
            _counts[i - _offset] += other._counts[i - other._offset];
        }
    }

    public void Clear()
    {
        if (!IsEmpty)
        {
            Array.Clear(_counts);
        }

        _minIndex = int.MaxValue;
        _maxIndex = int.MinValue;
    }

    public SketchBins Clone() => new()
    {
        _counts = (long[])_counts.Clone(),
        _offset = _offset,
        _minIndex = _minIndex,
        _maxIndex = _maxIndex,
    };

    private void Extend(int index)
    {
        if (IsEmpty)
        {
            if (_counts.Length == 0)
            {
                _counts = new long[InitialLength];
            }

            _offset = index - (_counts.Length / 2);
            _minIndex = _maxIndex = index;
            return;
        }

        var low = Math.Min(_minIndex, index);
        var high = Math.Max(_maxIndex, index);
        if (low < _offset || high >= _offset + _counts.Length)
        {
            // Grow with slack on both sides so a drifting range does not copy on every new bin.
            var span = high - low + 1;
            var length = Math.Max(_counts.Length * 2, span + InitialLength);
            var offset = low - ((length - span) / 2);
            var counts = new long[length];
            Array.Copy(_counts, _minIndex - _offset, counts, _minIndex - offset, _maxIndex - _minIndex + 1);
            _counts = counts;
            _offset = offset;
        }

        _minIndex = low;
        _maxIndex = high;
    }
}
