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

    private const int MinTableLength = 8;

    private const byte SparseEncoding = 0;
    private const byte DenseEncoding = 1;

    // Sparse form: an open-addressing table of entries (index << 8 | rank), 0 an empty slot, probed linearly from the
    // register index (already the top bits of a hash, so spread evenly) and at most half full; null once dense. A
    // table, not a sorted array: a sorted insert moved up to 4 KB per new register, the largest cost of folding an
    // event into a distinct count. Order is only needed to serialise, which sorts a copy.
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

        var table = _sparse!;
        return table.Length == 0 ? 0 : (int)(table[FindSlot(table, index)] & 0xFF);
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
            // The smaller table's entries go into a copy of the larger one (a block copy, no probing): a window or a
            // roll-up often merges a large sketch into a small or empty one. SetMax turns this sketch dense when the
            // union passes the sparse limit, and then goes on in the dense form.
            var (entries, count) = (other._sparse!, other._sparseCount);
            if (other._sparseCount > _sparseCount)
            {
                (entries, count) = (_sparse!, _sparseCount);
                _sparse = (uint[])other._sparse!.Clone();
                _sparseCount = other._sparseCount;
            }

            Reserve(_sparseCount + count);
            foreach (var e in entries)
            {
                if (e != 0)
                {
                    SetMax((int)(e >> 8), (byte)e);
                }
            }

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
            foreach (var e in other._sparse!)
            {
                if (e == 0)
                {
                    continue;
                }

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
            foreach (var e in _sparse!)
            {
                if (e != 0)
                {
                    histogram[(int)(e & 0xFF)]++;
                }
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
            copy._sparse = (uint[])_sparse!.Clone();
            copy._sparseCount = _sparseCount;
        }

        return copy;
    }

    /// <summary>Exact length of <see cref="Write"/>'s output.</summary>
    public int GetSerializedLength()
    {
        Span<uint> scratch = _dense is null ? stackalloc uint[_sparseCount] : default;
        var sparse = SparseLength(InOrder(scratch), out _);
        return 2 + Math.Min(sparse, DensePackedLength);
    }

    /// <summary>Writes the sketch (see the remarks); returns the bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        Span<uint> scratch = _dense is null ? stackalloc uint[_sparseCount] : default;
        var registers = InOrder(scratch);
        var sparseLength = SparseLength(registers, out var count);
        destination[0] = Precision;
        if (sparseLength < DensePackedLength)
        {
            destination[1] = SparseEncoding;
            var pos = 2 + VarInt.Write(destination[2..], (ulong)count);
            var previous = 0;
            while (registers.MoveNext())
            {
                pos += VarInt.Write(destination[pos..], (ulong)(registers.Index - previous));
                destination[pos++] = registers.Rank;
                previous = registers.Index;
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

            // Sized once for what follows (a stored state read back is never grown by doubling).
            sketch.Reserve((int)count);

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

        var table = _sparse!;
        if (table.Length > 0)
        {
            var slot = FindSlot(table, index);
            ref var entry = ref table[slot];
            if (entry != 0)
            {
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

            if ((_sparseCount + 1) * 2 <= table.Length)
            {
                entry = ((uint)index << 8) | rank;
                _sparseCount++;
                return;
            }
        }

        // No table yet, or it would be more than half full: twice the size.
        Reserve(_sparseCount + 1);
        _sparse![FindSlot(_sparse, index)] = ((uint)index << 8) | rank;
        _sparseCount++;
    }

    // Makes the sparse table large enough for entries (capped at the sparse limit) at most half full, every entry placed
    // again: a merge sizes it once for the union instead of doubling it several times.
    private void Reserve(int entries)
    {
        var table = _sparse!;
        var length = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(MinTableLength, 2 * Math.Min(entries, SparseLimit)));
        if (length <= table.Length)
        {
            return;
        }

        var grown = new uint[length];
        foreach (var e in table)
        {
            if (e != 0)
            {
                grown[FindSlot(grown, (int)(e >> 8))] = e;
            }
        }

        _sparse = grown;
    }

    // The slot holding register index's entry, or the empty slot where it goes; the table is never full.
    private static int FindSlot(uint[] table, int index)
    {
        var mask = table.Length - 1;
        for (var slot = index & mask; ; slot = (slot + 1) & mask)
        {
            var e = table[slot];
            if (e == 0 || (int)(e >> 8) == index)
            {
                return slot;
            }
        }
    }

    private void ToDense()
    {
        if (_dense is not null)
        {
            return;
        }

        var dense = new byte[RegisterCount];
        foreach (var e in _sparse!)
        {
            if (e != 0)
            {
                dense[e >> 8] = (byte)e;
            }
        }

        _dense = dense;
        _sparse = null;
        _sparseCount = 0;
    }

    private void ToSparse()
    {
        var dense = _dense!;
        var count = NonZeroRegisters;
        _dense = null;
        _sparse = [];
        _sparseCount = 0;
        Reserve(count);
        for (var i = 0; i < RegisterCount; i++)
        {
            if (dense[i] != 0)
            {
                SetMax(i, dense[i]);
            }
        }
    }

    // The non-zero registers in index order: the dense array scanned, or the sparse table's entries sorted into scratch
    // (as long as the register count).
    private RegistersInOrder InOrder(Span<uint> scratch)
    {
        if (_dense is { } dense)
        {
            return new RegistersInOrder(dense, default);
        }

        var count = 0;
        foreach (var e in _sparse!)
        {
            if (e != 0)
            {
                scratch[count++] = e;
            }
        }

        var sorted = scratch[..count];
        sorted.Sort();
        return new RegistersInOrder(null, sorted);
    }

    // The length of the sparse encoding, stopping once past the dense one, and the register count (of a copy of the
    // walk, which is a struct: the caller's copy still starts at the beginning).
    private static int SparseLength(RegistersInOrder registers, out int count)
    {
        var length = 0;
        var previous = 0;
        count = 0;
        while (registers.MoveNext())
        {
            length += VarInt.Size((ulong)(registers.Index - previous)) + 1;
            previous = registers.Index;
            count++;
            if (length > DensePackedLength)
            {
                return length;
            }
        }

        return length + VarInt.Size((ulong)count);
    }

    // A walk over the non-zero registers in index order, of either form.
    private ref struct RegistersInOrder(byte[]? dense, ReadOnlySpan<uint> sorted)
    {
        private readonly ReadOnlySpan<uint> _sorted = sorted;
        private int _position = -1;

        public int Index { get; private set; }

        public byte Rank { get; private set; }

        public bool MoveNext()
        {
            if (dense is not null)
            {
                while (++_position < RegisterCount)
                {
                    if (dense[_position] != 0)
                    {
                        (Index, Rank) = (_position, dense[_position]);
                        return true;
                    }
                }

                return false;
            }

            if (++_position >= _sorted.Length)
            {
                return false;
            }

            (Index, Rank) = ((int)(_sorted[_position] >> 8), (byte)_sorted[_position]);
            return true;
        }
    }
}
