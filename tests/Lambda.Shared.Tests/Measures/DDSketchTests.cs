using FsCheck;
using FsCheck.Fluent;
using Lambda.Shared.Measures;
using static Lambda.Shared.Tests.Measures.MeasureTestData;

namespace Lambda.Shared.Tests.Measures;

public sealed class DDSketchTests
{
    private static readonly double[] Quantiles = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

    // Slack for the last bits of the floating-point index arithmetic at a bin's edge.
    private const double Tolerance = DDSketch.RelativeAccuracy * (1 + 1e-9);

    public enum Shape
    {
        Skewed,
        Constant,
        Negative,
        Huge,
        Mixed,
        Latencies,
    }

    /// <summary>Data of one shape, drawn from <paramref name="seed"/>: the tests' own generator, no production code.</summary>
    private static double[] Data(Shape shape, int n, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var constant = (random.NextDouble() - 0.5) * 1e6;
        return Enumerable.Range(0, n).Select(_ => shape switch
        {
            Shape.Skewed => Math.Exp(Normal() * 4),                          // log-normal over ~14 decades
            Shape.Constant => constant,
            Shape.Negative => -Math.Exp(Normal() * 3) * 100,
            Shape.Huge => (random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, random.Next(250, 308)) * (1 + random.NextDouble()) / 2
                * (random.Next(50) == 0 ? double.MaxValue / 1e308 : 1),
            Shape.Mixed => random.Next(10) switch
            {
                0 => 0.0,
                < 4 => -random.NextDouble() * 1000,
                _ => Math.Pow(random.NextDouble(), 5) * 1e9,
            },
            _ => Math.Floor(Math.Exp(3 + (Normal() * 0.8)) + (random.Next(100) == 0 ? 5000 : 0)),
        }).ToArray();
    }

    private static Arbitrary<(Shape Shape, int N, int Seed)> Cases() =>
        Arb.From(
            from shape in Gen.Elements(Enum.GetValues<Shape>())
            from n in Gen.Choose(1, 3000)
            from seed in Gen.Choose(0, int.MaxValue)
            select (shape, n, seed));

    [Fact]
    public void Quantiles_stay_within_one_percent_of_the_exact_lower_quantile()
    {
        Check.One(Config(300), Prop.ForAll(Cases(), c =>
        {
            var data = Data(c.Shape, c.N, c.Seed);
            var sketch = new DDSketch();
            foreach (var v in data)
            {
                sketch.Add(v);
            }

            var sorted = data.Order().ToArray();
            foreach (var q in Quantiles)
            {
                var exact = sorted[(int)Math.Floor(q * (sorted.Length - 1))];
                var estimate = sketch.GetQuantile(q)!.Value;
                var error = Math.Abs(estimate - exact);
                Assert.True(
                    error <= Tolerance * Math.Abs(exact),
                    $"{c.Shape} n={c.N} seed={c.Seed} q={q}: estimate {estimate:R}, exact {exact:R}, relative error {error / Math.Abs(exact):R}");
            }

            Assert.Equal(sorted[0], sketch.GetQuantile(0));
            Assert.Equal(sorted[^1], sketch.GetQuantile(1));
            Assert.Equal(data.Length, sketch.Count);
            return true;
        }));
    }

    [Fact]
    public void Any_split_and_merge_order_gives_identical_bytes()
    {
        Check.One(Config(200), Prop.ForAll(Cases(), c =>
        {
            var data = Data(c.Shape, c.N, c.Seed);
            var whole = new DDSketch();
            foreach (var v in data)
            {
                whole.Add(v);
            }

            var random = new Random(c.Seed ^ 0x5bd1e995);
            var parts = Enumerable.Range(0, random.Next(1, 12)).Select(_ => new DDSketch()).ToArray();
            foreach (var v in data.OrderBy(_ => random.Next()))
            {
                parts[random.Next(parts.Length)].Add(v);
            }

            // Merge the parts in a random tree: pick two, merge one into the other, until one is left.
            var pending = parts.ToList();
            while (pending.Count > 1)
            {
                var a = pending[random.Next(pending.Count)];
                pending.Remove(a);
                var b = pending[random.Next(pending.Count)];
                b.Merge(DDSketch.Read(a.ToBytes()));
            }

            Assert.Equal(Convert.ToHexString(whole.ToBytes()), Convert.ToHexString(pending[0].ToBytes()));
            return true;
        }));
    }

    [Fact]
    public void Empty_sketch_has_no_quantile_and_serialises_to_one_byte()
    {
        var sketch = new DDSketch();

        Assert.Null(sketch.GetQuantile(0.5));
        Assert.Equal([0], sketch.ToBytes());
        Assert.True(DDSketch.Read([0]).IsEmpty);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_values_are_refused(double value) =>
        Assert.Throws<ArgumentException>(() => new DDSketch().Add(value));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Quantiles_outside_zero_to_one_are_refused(double q)
    {
        var sketch = new DDSketch();
        sketch.Add(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.GetQuantile(q));
    }

    [Fact]
    public void Negative_zero_and_zero_give_the_same_bytes()
    {
        var a = new DDSketch();
        a.Add(-0.0);
        a.Add(0.0);
        var b = new DDSketch();
        b.Add(0.0);
        b.Add(-0.0);

        Assert.Equal(a.ToBytes(), b.ToBytes());
        Assert.Equal(0.0, a.GetQuantile(0.5));
    }

    [Fact]
    public void Inconsistent_bytes_are_refused()
    {
        var sketch = new DDSketch();
        sketch.Add(10);
        sketch.Add(20);
        var bytes = sketch.ToBytes();
        bytes[0] = 3; // the count no longer matches the bins

        Assert.Throws<FormatException>(() => DDSketch.Read(bytes));
    }

    [Fact]
    public void Quantiles_state_answers_defaults_and_requested_quantiles_of_decimals()
    {
        var state = (QuantilesState)MeasureState.Create(MeasureKind.Quantiles, Money);
        for (var i = 1; i <= 1000; i++)
        {
            state.Add(Lambda.Shared.Events.FieldValue.FromDecimal(i / 100m, Money));
        }

        var defaults = state.GetValue().AsQuantiles();
        Assert.Equal(["p50", "p90", "p95", "p99"], defaults.Select(q => q.Label));
        Assert.InRange(defaults[0].Value, 4.99 * 0.99, 4.99 * 1.01);

        var custom = state.GetQuantiles([0.999, 0.5]).AsQuantiles();
        Assert.Equal(["p99.9", "p50"], custom.Select(q => q.Label));
        Assert.InRange(custom[0].Value, 9.99 * 0.99, 9.99 * 1.01);
        Assert.True(MeasureState.Create(MeasureKind.Quantiles, Money).GetValue().IsNull);
    }
}
