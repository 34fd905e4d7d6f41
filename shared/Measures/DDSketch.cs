using System.Buffers.Binary;

namespace Lambda.Shared.Measures;

/// <summary>
/// A DDSketch (Masson, Rim and Lee, VLDB 2019) with 1 % relative accuracy: every quantile it returns is
/// within <see cref="RelativeAccuracy"/> of the exact lower quantile (the value of rank
/// <c>floor(q·(n−1))</c> of the sorted values), for every value whose magnitude is at least
/// <see cref="MinIndexableValue"/>; smaller magnitudes count as 0. Written here because NuGet serves no
/// maintained DDSketch for .NET.
/// </summary>
/// <remarks>
/// <para>Mergeable and canonical: the state is the event count, the exact minimum and maximum, the count of
/// zeros and an integer count per bin index for positive and negative values. None of these depends on
/// the order values were added or sketches merged, and the serialised form lists only non-empty bins in
/// index order, so equal multisets of values give byte-identical states however they were split.</para>
/// <para>Bin index: <c>floor(m · L(|v|))</c> where <c>L</c> approximates log2 by the exponent of the double
/// plus a quadratic in its significand <c>s</c> ∈ [1, 2): <c>e − (s − 5)(s − 1)/3</c> (the quadratically
/// interpolated mapping of the DDSketch paper's reference implementation). It needs only IEEE additions and
/// multiplications, so every platform computes the same index. The slope of <c>L</c> against log2 is at
/// least 4·ln2/3, so <c>m = 3/(4·ln2) / log2(γ)</c> with <c>γ = (1+α)/(1−α)</c> keeps every bin within a
/// ratio γ, and the bin's harmonic midpoint is within α of each of its values.</para>
/// <para>Payload (inside a measure state): varint count; when not zero, min and max (8-byte little-endian
/// doubles), varint zero count, then the positive and the negative bins, each as varint number of non-empty
/// bins, zig-zag varint first index and varint count, then per further bin varint index gap and varint count.</para>
/// </remarks>
public sealed class DDSketch
{
    /// <summary>The relative accuracy α of every quantile.</summary>
    public const double RelativeAccuracy = 0.01;

    /// <summary>Smallest magnitude that gets its own bin (the smallest normal double); smaller magnitudes count as 0.</summary>
    public const double MinIndexableValue = 2.2250738585072014E-308;

    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double Multiplier = 3 / (4 * Math.Log(2)) / Math.Log2(Gamma);

    private SketchBins _positive = new();
    private SketchBins _negative = new();
    private long _zeroCount;

    /// <summary>Number of values added.</summary>
    public long Count { get; private set; }

    /// <summary>The exact smallest value (meaningless when empty).</summary>
    public double Min { get; private set; }

    /// <summary>The exact largest value (meaningless when empty).</summary>
    public double Max { get; private set; }

    /// <summary>True when no value has been added.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Adds a finite value.</summary>
    /// <exception cref="ArgumentException">NaN or infinity.</exception>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"{value} cannot be added to a quantile sketch", nameof(value));
        }

        // +0.0 turns -0.0 into 0.0, so min/max do not depend on which zero came first.
        value += 0d;
        if (Count == 0)
        {
            Min = Max = value;
        }
        else if (value < Min)
        {
            Min = value;
        }
        else if (value > Max)
        {
            Max = value;
        }

        Count++;
        if (value >= MinIndexableValue)
        {
            _positive.Add(Index(value), 1);
        }
        else if (value <= -MinIndexableValue)
        {
            _negative.Add(Index(-value), 1);
        }
        else
        {
            _zeroCount++;
        }
    }

    /// <summary>Adds every value of <paramref name="other"/> (monoid plus); <paramref name="other"/> is not changed.</summary>
    public void Merge(DDSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            Min = other.Min;
            Max = other.Max;
        }
        else
        {
            Min = Math.Min(Min, other.Min);
            Max = Math.Max(Max, other.Max);
        }

        Count += other.Count;
        _zeroCount += other._zeroCount;
        _positive.Merge(other._positive);
        _negative.Merge(other._negative);
    }

    /// <summary>
    /// The estimated <paramref name="quantile"/> (0 ≤ q ≤ 1): within <see cref="RelativeAccuracy"/> of the
    /// value of rank <c>floor(q·(Count−1))</c> of the sorted values; null when empty. q = 0 and q = 1 give
    /// the exact minimum and maximum.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">q is not within [0, 1].</exception>
    public double? GetQuantile(double quantile)
    {
        if (!(quantile >= 0 && quantile <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "a quantile is within [0, 1]");
        }

        if (Count == 0)
        {
            return null;
        }

        var rank = (long)Math.Floor(quantile * (Count - 1));
        if (rank == 0)
        {
            return Min;
        }

        if (rank == Count - 1)
        {
            return Max;
        }

        // Walk the bins in ascending value order until the cumulative count passes the rank.
        long seen = 0;
        if (!_negative.IsEmpty)
        {
            for (var i = _negative.MaxIndex; i >= _negative.MinIndex; i--)
            {
                seen += _negative[i];
                if (seen > rank)
                {
                    return Clamp(-Representative(i));
                }
            }
        }

        seen += _zeroCount;
        if (seen > rank)
        {
            return Clamp(0);
        }

        for (var i = _positive.MinIndex; i <= _positive.MaxIndex; i++)
        {
            seen += _positive[i];
            if (seen > rank)
            {
                return Clamp(Representative(i));
            }
        }

        return Max;
    }

    /// <summary>Back to the empty sketch.</summary>
    public void Clear()
    {
        _positive.Clear();
        _negative.Clear();
        _zeroCount = 0;
        Count = 0;
        Min = Max = 0;
    }

    /// <summary>An independent copy.</summary>
    public DDSketch Clone() => new()
    {
        _positive = _positive.Clone(),
        _negative = _negative.Clone(),
        _zeroCount = _zeroCount,
        Count = Count,
        Min = Min,
        Max = Max,
    };

    /// <summary>The exact number of bytes <see cref="Write"/> writes.</summary>
    public int GetSerializedLength()
    {
        var length = VarInt.Size((ulong)Count);
        if (Count == 0)
        {
            return length;
        }

        return length + 16 + VarInt.Size((ulong)_zeroCount) + BinsLength(_positive) + BinsLength(_negative);
    }

    /// <summary>Writes the canonical serialised form; returns the bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        var n = VarInt.Write(destination, (ulong)Count);
        if (Count == 0)
        {
            return n;
        }

        BinaryPrimitives.WriteDoubleLittleEndian(destination[n..], Min);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[(n + 8)..], Max);
        n += 16;
        n += VarInt.Write(destination[n..], (ulong)_zeroCount);
        n += WriteBins(destination[n..], _positive);
        n += WriteBins(destination[n..], _negative);
        return n;
    }

    /// <summary>The serialised form as a new array.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[GetSerializedLength()];
        Write(bytes);
        return bytes;
    }

    /// <summary>Reads a sketch written by <see cref="Write"/> (the whole span).</summary>
    /// <exception cref="FormatException">Truncated, trailing or inconsistent bytes.</exception>
    public static DDSketch Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new StateReader(bytes);
        var sketch = Read(ref reader);
        reader.EnsureEnd();
        return sketch;
    }

    internal static DDSketch Read(ref StateReader reader)
    {
        var sketch = new DDSketch();
        var count = reader.ReadVarUInt64();
        if (count == 0)
        {
            return sketch;
        }

        if (count > long.MaxValue)
        {
            throw new FormatException("quantile sketch: count overflows");
        }

        var min = reader.ReadDouble();
        var max = reader.ReadDouble();
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new FormatException("quantile sketch: min and max must be finite with min <= max");
        }

        var zeros = reader.ReadVarUInt64();
        var total = zeros;
        total += ReadBins(ref reader, sketch._positive);
        total += ReadBins(ref reader, sketch._negative);
        if (total != count)
        {
            throw new FormatException($"quantile sketch: the bins hold {total} values, the count says {count}");
        }

        sketch.Count = (long)count;
        sketch._zeroCount = (long)zeros;
        sketch.Min = min + 0d;
        sketch.Max = max + 0d;
        return sketch;
    }

    /// <summary>The bin index of a positive normal value.</summary>
    internal static int Index(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        var significand = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        var log2 = exponent - ((significand - 5) * (significand - 1) / 3);
        return (int)Math.Floor(log2 * Multiplier);
    }

    /// <summary>The value that stands for bin <paramref name="index"/>: within α of both of its bounds.</summary>
    internal static double Representative(int index)
    {
        // Harmonic midpoint of the bin's bounds, computed on significands so the top bin (whose upper bound
        // is beyond double.MaxValue) does not overflow; an infinite result is clamped to the exact max later.
        var (lowSignificand, lowExponent) = LowerBound(index);
        var (highSignificand, highExponent) = LowerBound(index + 1);
        var high = Math.ScaleB(highSignificand, highExponent - lowExponent);
        return Math.ScaleB(2 * lowSignificand * high / (lowSignificand + high), lowExponent);
    }

    private static (double Significand, int Exponent) LowerBound(int index)
    {
        var log2 = index / Multiplier;
        var exponent = Math.Floor(log2);
        return (3 - Math.Sqrt(4 - (3 * (log2 - exponent))), (int)exponent);
    }

    private double Clamp(double value) => Math.Clamp(value, Min, Max);

    private static int BinsLength(SketchBins bins)
    {
        var nonEmpty = bins.NonEmptyBins;
        var length = VarInt.Size((ulong)nonEmpty);
        if (nonEmpty == 0)
        {
            return length;
        }

        var previous = bins.MinIndex;
        length += VarInt.Size(VarInt.ZigZag(previous));
        for (var i = bins.MinIndex; i <= bins.MaxIndex; i++)
        {
            var c = bins[i];
            if (c == 0)
            {
                continue;
            }

            length += (i == bins.MinIndex ? 0 : VarInt.Size((ulong)(i - previous))) + VarInt.Size((ulong)c);
            previous = i;
        }

        return length;
    }

    private static int WriteBins(Span<byte> destination, SketchBins bins)
    {
        var nonEmpty = bins.NonEmptyBins;
        var n = VarInt.Write(destination, (ulong)nonEmpty);
        if (nonEmpty == 0)
        {
            return n;
        }

        var previous = bins.MinIndex;
        n += VarInt.Write(destination[n..], VarInt.ZigZag(previous));
        for (var i = bins.MinIndex; i <= bins.MaxIndex; i++)
        {
            var c = bins[i];
            if (c == 0)
            {
                continue;
            }

            if (i != bins.MinIndex)
            {
                n += VarInt.Write(destination[n..], (ulong)(i - previous));
            }

            n += VarInt.Write(destination[n..], (ulong)c);
            previous = i;
        }

        return n;
    }

    private static ulong ReadBins(ref StateReader reader, SketchBins bins)
    {
        var nonEmpty = reader.ReadVarUInt64();
        if (nonEmpty == 0)
        {
            return 0;
        }

        if (nonEmpty > 1 << 20)
        {
            throw new FormatException($"quantile sketch: {nonEmpty} bins is more than any double range needs");
        }

        var index = reader.ReadVarInt64();
        ulong total = 0;
        for (ulong b = 0; b < nonEmpty; b++)
        {
            if (b > 0)
            {
                var gap = reader.ReadVarUInt64();
                if (gap == 0 || gap > 1 << 20)
                {
                    throw new FormatException("quantile sketch: bin indexes must be strictly increasing");
                }

                index += (long)gap;
            }

            if (index is < -(1 << 20) or > 1 << 20)
            {
                throw new FormatException($"quantile sketch: bin index {index} is outside the range of doubles");
            }

            var c = reader.ReadVarUInt64();
            if (c == 0 || c > long.MaxValue)
            {
                throw new FormatException("quantile sketch: a listed bin must hold 1 or more values");
            }

            bins.Add((int)index, (long)c);
            total += c;
        }

        return total;
    }
}
