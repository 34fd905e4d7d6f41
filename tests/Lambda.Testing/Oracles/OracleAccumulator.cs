using System.Globalization;
using System.Text.Json;
using Lambda.Shared.Catalog;
using Lambda.Shared.Measures;

namespace Lambda.Testing.Oracles;

/// <summary>
/// One measure of one group, accumulated with plain arithmetic over the raw values (decimal sums, exact
/// minimum and maximum, the exact set of distinct values), and the comparison of an answer with it.
/// </summary>
public sealed class OracleAccumulator
{
    // Decimal averages come rounded to the field's scale plus this many digits; one unit of the last is allowed.
    private const int AverageExtraDigits = 4;

    // A distinct count is a HyperLogLog estimate with 2^14 registers (standard error 1.04/128 = 0.81%); many groups
    // are checked per run, so the bound is about six standard errors, and at least 4 for small sets.
    private const double DistinctRelativeBound = 0.05;
    private const int DistinctAbsoluteBound = 4;

    private readonly MeasureKind _kind;
    private readonly FieldType? _type;
    private HashSet<string>? _distinct;

    internal OracleAccumulator(MeasureKind kind, FieldType? type)
    {
        _kind = kind;
        _type = type;
        _distinct = kind == MeasureKind.Distinct ? new HashSet<string>(StringComparer.Ordinal) : null;
    }

    /// <summary>Values added, null ones included (what <c>count</c> counts).</summary>
    public long Count { get; private set; }

    /// <summary>Non-null values added (what <c>avg</c> divides by; <c>min</c>, <c>max</c> and <c>avg</c> of none are null, <c>sum</c> of none is 0).</summary>
    public long NonNull { get; private set; }

    /// <summary>Sum of the values (decimal and long fields exactly).</summary>
    public decimal DecimalSum { get; private set; }

    /// <summary>Sum of the values of a double field.</summary>
    public double DoubleSum { get; private set; }

    /// <summary>Smallest and largest value (a number, or epoch milliseconds for timestamps); null when none.</summary>
    public decimal? DecimalMin { get; private set; }

    /// <inheritdoc cref="DecimalMin" />
    public decimal? DecimalMax { get; private set; }

    /// <summary>Smallest and largest value of a double field; null when none.</summary>
    public double? DoubleMin { get; private set; }

    /// <inheritdoc cref="DoubleMin" />
    public double? DoubleMax { get; private set; }

    /// <summary>The exact number of distinct values.</summary>
    public int DistinctCount => _distinct?.Count ?? 0;

    private bool IsDouble => _type?.Kind == FieldKind.Double;

    internal void Add(JsonElement? value)
    {
        Count++;
        if (value is not { } v)
        {
            return;
        }

        NonNull++;

        if (_distinct is not null)
        {
            _distinct.Add(OracleField.Canonical(v, _type!.Value));
            return;
        }

        if (IsDouble)
        {
            var d = v.GetDouble();
            DoubleSum += d;
            DoubleMin = DoubleMin is { } lo && lo <= d ? lo : d;
            DoubleMax = DoubleMax is { } hi && hi >= d ? hi : d;
            return;
        }

        if (_type?.Kind is FieldKind.Decimal or FieldKind.Long or FieldKind.Timestamp)
        {
            var m = _type.Value.Kind == FieldKind.Timestamp ? OracleField.Milliseconds(v) : v.GetDecimal();
            DecimalSum += m;
            DecimalMin = DecimalMin is { } lo && lo <= m ? lo : m;
            DecimalMax = DecimalMax is { } hi && hi >= m ? hi : m;
        }
    }

    internal void Merge(OracleAccumulator other)
    {
        Count += other.Count;
        NonNull += other.NonNull;
        DecimalSum += other.DecimalSum;
        DoubleSum += other.DoubleSum;
        DecimalMin = Min(DecimalMin, other.DecimalMin);
        DecimalMax = Max(DecimalMax, other.DecimalMax);
        DoubleMin = DoubleMin is null ? other.DoubleMin : other.DoubleMin is null ? DoubleMin : Math.Min(DoubleMin.Value, other.DoubleMin.Value);
        DoubleMax = DoubleMax is null ? other.DoubleMax : other.DoubleMax is null ? DoubleMax : Math.Max(DoubleMax.Value, other.DoubleMax.Value);
        if (other._distinct is not null)
        {
            _distinct!.UnionWith(other._distinct);
        }
    }

    internal OracleAccumulator Copy()
    {
        var copy = new OracleAccumulator(_kind, _type);
        copy.Merge(this);
        return copy;
    }

    /// <summary>Null when <paramref name="actual"/> is what the events give, else what is wrong.</summary>
    public string? Mismatch(OracleActual actual)
    {
        var ok = _kind switch
        {
            MeasureKind.Count => actual.Decimal == Count,
            MeasureKind.Sum => IsDouble ? Close(actual.Double, DoubleSum) : actual.Decimal == DecimalSum,
            MeasureKind.Min => Extreme(actual, DecimalMin, DoubleMin),
            MeasureKind.Max => Extreme(actual, DecimalMax, DoubleMax),
            MeasureKind.Avg => NonNull == 0 ? actual.IsNull : IsDouble ? Close(actual.Double, DoubleSum / NonNull) : AverageMatches(actual),
            MeasureKind.Distinct => actual.Decimal is { } estimate
                && Math.Abs(estimate - DistinctCount) <= Math.Max(DistinctAbsoluteBound, DistinctCount * (decimal)DistinctRelativeBound),
            _ => false,
        };
        return ok ? null : $"is {actual}, the events give {Expected()}";
    }

    private bool AverageMatches(OracleActual actual)
    {
        var exact = DecimalSum / NonNull;
        if (_type!.Value.Kind == FieldKind.Long)
        {
            // A long field's average is a double.
            return Close(actual.Double, (double)exact);
        }

        var unit = 1m / Pow10(_type!.Value.Scale + AverageExtraDigits);
        return actual.Decimal is { } d && Math.Abs(d - exact) <= unit;
    }

    private bool Extreme(OracleActual actual, decimal? exact, double? exactDouble)
    {
        if (IsDouble)
        {
            return exactDouble is null ? actual.IsNull : actual.Double == exactDouble;
        }

        if (exact is null)
        {
            return actual.IsNull;
        }

        return _type?.Kind == FieldKind.Timestamp ? actual.Milliseconds == (long)exact.Value : actual.Decimal == exact;
    }

    private string Expected() => _kind switch
    {
        MeasureKind.Count => Count.ToString(CultureInfo.InvariantCulture),
        MeasureKind.Distinct => $"{DistinctCount} distinct values (estimate within the HyperLogLog bound)",
        MeasureKind.Avg when NonNull > 0 => IsDouble ? (DoubleSum / NonNull).ToString("R", CultureInfo.InvariantCulture) : (DecimalSum / NonNull).ToString(CultureInfo.InvariantCulture),
        MeasureKind.Min => (IsDouble ? DoubleMin?.ToString("R", CultureInfo.InvariantCulture) : DecimalMin?.ToString(CultureInfo.InvariantCulture)) ?? "null",
        MeasureKind.Max => (IsDouble ? DoubleMax?.ToString("R", CultureInfo.InvariantCulture) : DecimalMax?.ToString(CultureInfo.InvariantCulture)) ?? "null",
        MeasureKind.Sum => IsDouble ? DoubleSum.ToString("R", CultureInfo.InvariantCulture) : DecimalSum.ToString(CultureInfo.InvariantCulture),
        _ => "null",
    };

    // Double sums depend on the order of additions; everything exact is compared exactly.
    private static bool Close(double? actual, double expected) =>
        actual is { } a && Math.Abs(a - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected));

    private static decimal? Min(decimal? a, decimal? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static decimal? Max(decimal? a, decimal? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
