using System.IO.Hashing;
using System.Numerics;

namespace Lambda.Shared.Measures;

/// <summary>
/// A HyperLogLog distinct-count sketch with precision 14 (2^14 = 16,384 registers, standard error
/// about 1.04 / 128 = 0.81%).
/// </summary>
/// <remarks>
/// Values are hashed with XxHash64 of their canonical UTF-8 bytes, so both layers fill the same registers; precision 14 keeps the error near 1 %. The design is in <c>docs/design-notes.md</c>, "Distinct counts".
/// </remarks>
public sealed class HyperLogLog
{
    /// <summary>Number of index bits.</summary>
    public const int Precision = 14;

    /// <summary>Number of registers (2^<see cref="Precision"/>).</summary>
    public const int RegisterCount = 1 << Precision;

    /// <summary>Largest possible rank: 64 - precision + 1.</summary>
    public const int MaxRank = 64 - Precision + 1;

    /// <summary>Non-zero registers kept in the sparse in-memory form before switching to the dense array.</summary>
    public const int SparseLimit = 1024;

    /// <summary>Bytes of the dense register encoding (6 bits per register).</summary>
    public const int DensePackedLength = RegisterCount * 6 / 8;

    private const byte SparseEncoding = 0;
    private const byte DenseEncoding = 1;

    // Sparse form: entries (index << 8 | rank) sorted by index; null once dense.
    private uint[]? _sparse = [];
    private int _sparseCount;
    private byte[]? _dense;

    /// <summary>True when no value has been added.</summary>
    public bool IsEmpty => _dense is null && _sparseCount == 0;

    /// <summary>True once the sketch holds every register (more than <see cref="SparseLimit"/> set).</summary>
    public bool IsDense => _dense is not null;

    /// <summary>The stable 64-bit hash of a value's canonical UTF-8 bytes: XxHash64 with seed 0.</summary>
    public static ulong Hash(ReadOnlySpan<byte> canonicalUtf8) => XxHash64.HashToUInt64(canonicalUtf8, 0);

    /// <summary>Adds a value given as its canonical UTF-8 bytes (see the remarks).</summary>
    public void Add(ReadOnlySpan<byte> canonicalUtf8) => AddHash(Hash(canonicalUtf8));

    /// <summary>Adds a value given as its 64-bit hash (<see cref="Hash"/>).</summary>
    public void AddHash(ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        // Setting the bit just below the rank window caps the rank at MaxRank when the window is all zeros.
        var rank = (byte)(BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1);
        SetMax(index, rank);
    }

    /// <summary>The rank stored in register <paramref name="index"/> (0 when never set).</summary>
    public int GetRegister(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RegisterCount);
        if (_dense is not null)
        {
            return _dense[index];
        }

        var pos = FindSparse(index);
        return pos >= 0 ? (int)(_sparse![pos] & 0xFF) : 0;
    }

    /// <summary>Number of registers that are not zero.</summary>
    public int NonZeroRegisters
    {
        get
        {
            if (_dense is null)
            {
                return _sparseCount;
            }

            var n = 0;
            foreach (var r in _dense)
            {
                if (r != 0)
                {
                    n++;
                }
            }

            return n;
        }
    }

    /// <summary>Merges <paramref name="other"/> into this sketch (register-wise maximum): the union of both value sets.</summary>
    public void Merge(HyperLogLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this) || other.IsEmpty)
        {
            return;
        }

        if (_dense is null && other._dense is null)
        {
            MergeSparse(other._sparse!, other._sparseCount);
            return;
        }

        ToDense();
        var dense = _dense!;
        if (other._dense is { } otherDense)
        {
            var i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= RegisterCount - Vector<byte>.Count; i += Vector<byte>.Count)
                {
                    Vector.Max(new Vector<byte>(dense, i), new Vector<byte>(otherDense, i)).CopyTo(dense, i);
                }
            }

            for (; i < RegisterCount; i++)
            {
                if (otherDense[i] > dense[i])
                {
                    dense[i] = otherDense[i];
                }
            }
        }
        else
        {
            var entries = other._sparse!;
            for (var i = 0; i < other._sparseCount; i++)
            {
                var e = entries[i];
                var index = (int)(e >> 8);
                var rank = (byte)e;
                if (rank > dense[index])
                {
                    dense[index] = rank;
                }
            }
        }
    }

    /// <summary>The estimated number of distinct values (see the remarks), unrounded.</summary>
    public double EstimateRaw()
    {
        Span<int> histogram = stackalloc int[MaxRank + 1];
        histogram.Clear();
        if (_dense is null)
        {
            histogram[0] = RegisterCount - _sparseCount;
            for (var i = 0; i < _sparseCount; i++)
            {
                histogram[(int)(_sparse![i] & 0xFF)]++;
            }
        }
        else
        {
            foreach (var r in _dense)
            {
                histogram[r]++;
            }
        }

        const double m = RegisterCount;
        var z = m * Tau((m - histogram[MaxRank]) / m);
        for (var k = MaxRank - 1; k >= 1; k--)
        {
            z = (z + histogram[k]) * 0.5;
        }

        z += m * Sigma(histogram[0] / m);
        return m * m / (2 * Math.Log(2) * z);
    }

    /// <summary>The estimated number of distinct values, rounded to the nearest integer.</summary>
    public long Estimate() => (long)Math.Round(EstimateRaw(), MidpointRounding.ToEven);

    /// <summary>Empties the sketch.</summary>
    public void Clear()
    {
        _dense = null;
        _sparse = [];
        _sparseCount = 0;
    }

    /// <summary>An independent copy.</summary>
    public HyperLogLog Clone()
    {
        var copy = new HyperLogLog();
        if (_dense is not null)
        {
            copy._dense = (byte[])_dense.Clone();
            copy._sparse = null;
        }
        else
        {
            copy._sparse = _sparse.AsSpan(0, _sparseCount).ToArray();
            copy._sparseCount = _sparseCount;
        }

        return copy;
    }

    /// <summary>Exact length of <see cref="Write"/>'s output.</summary>
    public int GetSerializedLength()
    {
        var sparse = SparseLength(out _);
        return 2 + Math.Min(sparse, DensePackedLength);
    }

    /// <summary>Writes the sketch (see the remarks); returns the bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        var sparseLength = SparseLength(out var count);
        destination[0] = Precision;
        if (sparseLength < DensePackedLength)
        {
            destination[1] = SparseEncoding;
            var pos = 2 + VarInt.Write(destination[2..], (ulong)count);
            var previous = 0;
            for (var index = NextNonZero(-1, out var rank); index >= 0; index = NextNonZero(index, out rank))
            {
                pos += VarInt.Write(destination[pos..], (ulong)(index - previous));
                destination[pos++] = rank;
                previous = index;
            }

            return pos;
        }

        destination[1] = DenseEncoding;
        var packed = destination.Slice(2, DensePackedLength);
        for (int r = 0, b = 0; r < RegisterCount; r += 4, b += 3)
        {
            var r0 = GetRegister(r);
            var r1 = GetRegister(r + 1);
            var r2 = GetRegister(r + 2);
            var r3 = GetRegister(r + 3);
            packed[b] = (byte)(r0 | (r1 << 6));
            packed[b + 1] = (byte)((r1 >> 2) | (r2 << 4));
            packed[b + 2] = (byte)((r2 >> 4) | (r3 << 2));
        }

        return 2 + DensePackedLength;
    }

    /// <summary>The serialised sketch as a new array.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[GetSerializedLength()];
        Write(bytes);
        return bytes;
    }

    /// <summary>Reads a sketch written by <see cref="Write"/>.</summary>
    /// <exception cref="FormatException">Invalid, truncated or overlong input.</exception>
    public static HyperLogLog Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new StateReader(bytes);
        var sketch = Read(ref reader);
        reader.EnsureEnd();
        return sketch;
    }

    internal static HyperLogLog Read(ref StateReader reader)
    {
        var precision = reader.ReadByte();
        if (precision != Precision)
        {
            throw new FormatException($"HyperLogLog: precision {precision} is not {Precision}");
        }

        var sketch = new HyperLogLog();
        var encoding = reader.ReadByte();
        if (encoding == SparseEncoding)
        {
            var count = reader.ReadVarUInt64();
            if (count > RegisterCount)
            {
                throw new FormatException($"HyperLogLog: {count} sparse registers exceed {RegisterCount}");
            }

            var index = 0L;
            for (var i = 0UL; i < count; i++)
            {
                var gap = reader.ReadVarUInt64();
                if ((i > 0 && gap == 0) || gap >= RegisterCount)
                {
                    throw new FormatException("HyperLogLog: sparse register indexes must be strictly increasing");
                }

                index += (long)gap;
                var rank = reader.ReadByte();
                if (index >= RegisterCount || rank is 0 or > MaxRank)
                {
                    throw new FormatException($"HyperLogLog: invalid sparse register {index} = {rank}");
                }

                sketch.SetMax((int)index, rank);
            }
        }
        else if (encoding == DenseEncoding)
        {
            var packed = reader.ReadBytes(DensePackedLength);
            var dense = new byte[RegisterCount];
            for (int r = 0, b = 0; r < RegisterCount; r += 4, b += 3)
            {
                int b0 = packed[b], b1 = packed[b + 1], b2 = packed[b + 2];
                dense[r] = (byte)(b0 & 0x3F);
                dense[r + 1] = (byte)((b0 >> 6) | ((b1 & 0x0F) << 2));
                dense[r + 2] = (byte)((b1 >> 4) | ((b2 & 0x03) << 4));
                dense[r + 3] = (byte)(b2 >> 2);
            }

            foreach (var rank in dense)
            {
                if (rank > MaxRank)
                {
                    throw new FormatException($"HyperLogLog: register rank {rank} exceeds {MaxRank}");
                }
            }

            sketch._dense = dense;
            sketch._sparse = null;
            sketch._sparseCount = 0;
            if (sketch.NonZeroRegisters <= SparseLimit)
            {
                sketch.ToSparse();
            }
        }
        else
        {
            throw new FormatException($"HyperLogLog: unknown encoding {encoding}");
        }

        return sketch;
    }

    /// <summary>True when both sketches hold the same registers.</summary>
    public bool RegistersEqual(HyperLogLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < RegisterCount; i++)
        {
            if (GetRegister(i) != other.GetRegister(i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>σ(x) = x + Σ_{k≥1} x^(2^k)·2^(k-1), summed until it no longer changes.</summary>
    private static double Sigma(double x)
    {
        if (x == 1.0)
        {
            return double.PositiveInfinity;
        }

        double y = 1, z = x, previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        }
        while (previous != z);
        return z;
    }

    /// <summary>τ(x) = (1 − x − Σ_{k≥1} (1 − x^(2^-k))²·2^-k) / 3, summed until it no longer changes.</summary>
    private static double Tau(double x)
    {
        if (x is 0.0 or 1.0)
        {
            return 0.0;
        }

        double y = 1, z = 1 - x, previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        }
        while (previous != z);
        return z / 3;
    }

    private void SetMax(int index, byte rank)
    {
        if (_dense is { } dense)
        {
            if (rank > dense[index])
            {
                dense[index] = rank;
            }

            return;
        }

        var pos = FindSparse(index);
        if (pos >= 0)
        {
            ref var entry = ref _sparse![pos];
            if (rank > (entry & 0xFF))
            {
                entry = ((uint)index << 8) | rank;
            }

            return;
        }

        if (_sparseCount == SparseLimit)
        {
            ToDense();
            _dense![index] = rank;
            return;
        }

        var insertAt = ~pos;
        var sparse = _sparse!;
        if (_sparseCount == sparse.Length)
        {
            Array.Resize(ref _sparse, Math.Max(8, Math.Min(SparseLimit, sparse.Length * 2)));
            sparse = _sparse!;
        }

        if (insertAt < _sparseCount)
        {
            Array.Copy(sparse, insertAt, sparse, insertAt + 1, _sparseCount - insertAt);
        }

        sparse[insertAt] = ((uint)index << 8) | rank;
        _sparseCount++;
    }

    private int FindSparse(int index)
    {
        var sparse = _sparse!;
        int lo = 0, hi = _sparseCount - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var midIndex = (int)(sparse[mid] >> 8);
            if (midIndex == index)
            {
                return mid;
            }

            if (midIndex < index)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    private void MergeSparse(uint[] other, int otherCount)
    {
        var needed = _sparseCount + otherCount;
        if (_sparse!.Length < needed)
        {
            // Grown by doubling, as SetMax grows it: a row of an answer that many small sketches merge into (a roll-up,
            // a sliding window) reallocates a few times instead of once per merge.
            Array.Resize(ref _sparse, Math.Max(needed, _sparse.Length * 2));
        }

        // Merged from the back into the free end of the array, so no entry is overwritten before it is read.
        var mine = _sparse!;
        int i = _sparseCount - 1, j = otherCount - 1, k = needed - 1;
        while (i >= 0 || j >= 0)
        {
            uint next;
            if (j < 0 || (i >= 0 && (mine[i] >> 8) > (other[j] >> 8)))
            {
                next = mine[i--];
            }
            else if (i < 0 || (other[j] >> 8) > (mine[i] >> 8))
            {
                next = other[j--];
            }
            else
            {
                next = Math.Max(mine[i--], other[j--]);
            }

            mine[k--] = next;
        }

        var n = needed - 1 - k;
        if (k >= 0)
        {
            Array.Copy(mine, k + 1, mine, 0, n);
        }

        _sparseCount = n;
        if (n > SparseLimit)
        {
            ToDense();
        }
    }

    private void ToDense()
    {
        if (_dense is not null)
        {
            return;
        }

        var dense = new byte[RegisterCount];
        for (var i = 0; i < _sparseCount; i++)
        {
            var e = _sparse![i];
            dense[e >> 8] = (byte)e;
        }

        _dense = dense;
        _sparse = null;
        _sparseCount = 0;
    }

    private void ToSparse()
    {
        var dense = _dense!;
        var entries = new List<uint>();
        for (var i = 0; i < RegisterCount; i++)
        {
            if (dense[i] != 0)
            {
                entries.Add(((uint)i << 8) | dense[i]);
            }
        }

        _sparse = [.. entries];
        _sparseCount = entries.Count;
        _dense = null;
    }

    private int NextNonZero(int after, out byte rank)
    {
        if (_dense is { } dense)
        {
            for (var i = after + 1; i < RegisterCount; i++)
            {
                if (dense[i] != 0)
                {
                    rank = dense[i];
                    return i;
                }
            }

            rank = 0;
            return -1;
        }

        var pos = after < 0 ? 0 : FindSparse(after) + 1;
        if (pos < _sparseCount)
        {
            rank = (byte)_sparse![pos];
            return (int)(_sparse[pos] >> 8);
        }

        rank = 0;
        return -1;
    }

    private int SparseLength(out int count)
    {
        var length = 0;
        var previous = 0;
        count = 0;
        for (var index = NextNonZero(-1, out _); index >= 0; index = NextNonZero(index, out _))
        {
            length += VarInt.Size((ulong)(index - previous)) + 1;
            previous = index;
            count++;
            if (length > DensePackedLength)
            {
                return length;
            }
        }

        return length + VarInt.Size((ulong)count);
    }
}
