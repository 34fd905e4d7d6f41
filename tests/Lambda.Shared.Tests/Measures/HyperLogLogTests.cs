using System.Buffers.Text;
using System.IO.Hashing;
using Lambda.Shared.Measures;

namespace Lambda.Shared.Tests.Measures;

public sealed class HyperLogLogTests
{
    private static void AddUser(HyperLogLog sketch, int i)
    {
        Span<byte> buffer = stackalloc byte[32];
        "user-"u8.CopyTo(buffer);
        Utf8Formatter.TryFormat(i, buffer[5..], out var written);
        sketch.Add(buffer[..(5 + written)]);
    }

    private static HyperLogLog Users(IEnumerable<int> ids)
    {
        var sketch = new HyperLogLog();
        foreach (var i in ids)
        {
            AddUser(sketch, i);
        }

        return sketch;
    }

    [Fact]
    public void Error_is_below_two_percent_at_ten_cardinalities_up_to_a_million()
    {
        int[] checkpoints = [10, 100, 1_000, 5_000, 20_000, 40_000, 60_000, 150_000, 400_000, 1_000_000];
        var sketch = new HyperLogLog();
        var next = 0;
        var report = new List<string>();
        foreach (var n in checkpoints)
        {
            for (; next < n; next++)
            {
                AddUser(sketch, next);
                if ((next & 7) == 0)
                {
                    AddUser(sketch, next / 2); // repeats must not count
                }
            }

            var error = Math.Abs(sketch.EstimateRaw() - n) / n;
            report.Add($"{n}: {sketch.Estimate()} ({error:P2})");
            Assert.True(error < 0.02, string.Join("; ", report));
        }
    }

    [Fact]
    public void The_hash_is_xxhash64_with_seed_zero()
    {
        // Reference vector of the xxHash specification: XXH64 of the empty input with seed 0.
        Assert.Equal(0xEF46DB3751D8E999UL, HyperLogLog.Hash([]));
        Assert.Equal(XxHash64.HashToUInt64("user-1"u8, 0), HyperLogLog.Hash("user-1"u8));
    }

    [Theory]
    [InlineData(0UL, 0, 51)]
    [InlineData(0x8000_0000_0000_0000UL, 8192, 51)]
    [InlineData((5UL << 50) | (1UL << 49), 5, 1)]
    [InlineData((5UL << 50) | (1UL << 40), 5, 10)]
    [InlineData(ulong.MaxValue, 16383, 1)]
    public void Registers_take_the_top_14_bits_as_index_and_the_leading_zeros_of_the_rest_as_rank(ulong hash, int index, int rank)
    {
        var sketch = new HyperLogLog();
        sketch.AddHash(hash);

        Assert.Equal(rank, sketch.GetRegister(index));
        Assert.Equal(1, sketch.NonZeroRegisters);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(1_500)]
    [InlineData(5_000)]
    [InlineData(60_000)]
    public void The_same_set_gives_the_same_bytes_whatever_the_order_and_merge_tree(int cardinality)
    {
        var ids = Enumerable.Range(0, cardinality).ToArray();
        var random = new Random(cardinality);
        var shuffled = ids.OrderBy(_ => random.Next()).ToArray();
        var reference = Users(ids).ToBytes();

        Assert.Equal(reference, Users(shuffled).ToBytes());
        Assert.Equal(reference, Users(shuffled.Concat(shuffled.Take(cardinality / 3))).ToBytes());

        // Split into uneven parts and merge in two different trees.
        var parts = shuffled.Chunk(Math.Max(1, cardinality / 7)).Select(Users).ToArray();
        var left = new HyperLogLog();
        foreach (var p in parts)
        {
            left.Merge(p);
        }

        var right = new HyperLogLog();
        for (var i = parts.Length - 1; i >= 0; i -= 2)
        {
            var pair = parts[i].Clone();
            if (i > 0)
            {
                pair.Merge(parts[i - 1]);
            }

            right.Merge(pair);
        }

        Assert.Equal(reference, left.ToBytes());
        Assert.Equal(reference, right.ToBytes());
        Assert.True(HyperLogLog.Read(reference).RegistersEqual(left));
    }

    [Fact]
    public void Small_sketches_serialise_sparse_and_large_ones_dense()
    {
        var small = Users(Enumerable.Range(0, 100));
        var large = Users(Enumerable.Range(0, 100_000));

        Assert.Equal(0, small.ToBytes()[1]);
        Assert.True(small.ToBytes().Length < 400);
        Assert.Equal(1, large.ToBytes()[1]);
        Assert.Equal(2 + HyperLogLog.DensePackedLength, large.ToBytes().Length);
        Assert.Equal(large.ToBytes(), HyperLogLog.Read(large.ToBytes()).ToBytes());
        Assert.Equal(small.ToBytes(), HyperLogLog.Read(small.ToBytes()).ToBytes());
        Assert.Equal([14, 0, 0], new HyperLogLog().ToBytes());
    }

    [Theory]
    [InlineData(1, 1_500)]
    [InlineData(3, 400)]
    public void Merging_many_small_sketches_into_one_equals_adding_their_values(int perSketch, int sketches)
    {
        // A roll-up's pattern: one row takes in the sketches of many small groups, which overlap.
        var random = new Random(perSketch);
        var values = Enumerable.Range(0, sketches).Select(_ => Enumerable.Range(0, perSketch).Select(_ => random.Next(2_000)).ToArray()).ToArray();
        var merged = new HyperLogLog();
        foreach (var group in values)
        {
            merged.Merge(Users(group));
        }

        Assert.Equal(Users(values.SelectMany(v => v)).ToBytes(), merged.ToBytes());
    }

    [Fact]
    public void Merging_is_a_union()
    {
        var a = Users(Enumerable.Range(0, 30_000));
        var b = Users(Enumerable.Range(20_000, 30_000));

        a.Merge(b);

        Assert.InRange(a.Estimate(), 49_000, 51_000);
        Assert.Equal(Users(Enumerable.Range(0, 50_000)).ToBytes(), a.ToBytes());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(200)]
    [InlineData(1_024)]
    [InlineData(1_025)]
    [InlineData(3_000)]
    public void Registers_and_bytes_match_a_plain_register_array_at_sizes_around_the_dense_switch(int registers)
    {
        // The oracle: a plain array of 2^14 registers, each the largest rank seen (rank: leading zeros of the 50 bits below
        // the index, plus one), encoded by hand as the documented sparse form (precision, 0, count, then gap and rank).
        var random = new Random(registers);
        var model = new byte[1 << 14];
        var hashes = new List<ulong>();
        foreach (var index in Enumerable.Range(0, 1 << 14).OrderBy(_ => random.Next()).Take(registers))
        {
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                var low = (ulong)random.NextInt64() & ((1UL << 50) - 1) >> random.Next(0, 50);
                var hash = ((ulong)index << 50) | low;
                hashes.Add(hash);
                var rank = (byte)(Math.Min(System.Numerics.BitOperations.LeadingZeroCount(hash << 14), 50) + 1);
                model[index] = Math.Max(model[index], rank);
            }
        }

        var expected = new List<byte> { 14, 0 };
        AppendVarInt(expected, (ulong)registers);
        var previous = 0;
        for (var index = 0; index < model.Length; index++)
        {
            if (model[index] != 0)
            {
                AppendVarInt(expected, (ulong)(index - previous));
                expected.Add(model[index]);
                previous = index;
            }
        }

        var shuffled = hashes.OrderBy(_ => random.Next()).ToArray();
        var whole = new HyperLogLog();
        var left = new HyperLogLog();
        var right = new HyperLogLog();
        for (var i = 0; i < shuffled.Length; i++)
        {
            whole.AddHash(shuffled[i]);
            (i % 3 == 0 ? left : right).AddHash(shuffled[i]);
        }

        left.Merge(right);
        foreach (var sketch in new[] { whole, left, HyperLogLog.Read(expected.ToArray()) })
        {
            Assert.Equal(registers, sketch.NonZeroRegisters);
            Assert.Equal(registers > HyperLogLog.SparseLimit, sketch.IsDense);
            Assert.Equal(model, Enumerable.Range(0, model.Length).Select(i => (byte)sketch.GetRegister(i)).ToArray());
            Assert.Equal(expected.ToArray(), sketch.ToBytes());
            Assert.Equal(expected.Count, sketch.GetSerializedLength());
            Assert.Equal(expected.ToArray(), sketch.Clone().ToBytes());
        }
    }

    private static void AppendVarInt(List<byte> bytes, ulong value)
    {
        for (; value >= 0x80; value >>= 7)
        {
            bytes.Add((byte)(value | 0x80));
        }

        bytes.Add((byte)value);
    }
}
