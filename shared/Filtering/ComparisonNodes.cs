using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary>
/// Compares an exact integer field (long, decimal unscaled, timestamp ms, bool 0/1) with a literal
/// <c>L</c> given as <c>threshold = floor(L·10^scale)</c> and whether that floor is exact. A value v
/// compares to L as -1 when v &lt; threshold, +1 when v &gt; threshold, and at v == threshold as 0 if
/// exact, else -1 (v is then strictly below L). No rounding ever happens.
/// </summary>
internal sealed class ExactComparisonNode(int ordinal, string field, ComparisonOperator op, long threshold, bool exact, string literal) : FilterNode
{
    private readonly int _atThreshold = exact ? 0 : -1;

    public override bool Evaluate(EventRecord record)
    {
        var v = record.RawBits(ordinal);
        var cmp = v < threshold ? -1 : v > threshold ? 1 : _atThreshold;
        return op.Holds(cmp);
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append(field).Append(' ').Append(op.ToSymbol()).Append(' ').Append(literal);
}

/// <summary>Compares a double field with a double literal (IEEE comparison).</summary>
internal sealed class DoubleComparisonNode(int ordinal, string field, ComparisonOperator op, double literal, string literalText) : FilterNode
{
    public override bool Evaluate(EventRecord record)
    {
        var v = BitConverter.Int64BitsToDouble(record.RawBits(ordinal));
        return op.Holds(v.CompareTo(literal));
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append(field).Append(' ').Append(op.ToSymbol()).Append(' ').Append(literalText);
}

/// <summary>Compares a string field with a string literal by UTF-8 bytes (= Unicode code point order).</summary>
internal sealed class StringComparisonNode(int ordinal, string field, ComparisonOperator op, string literal) : FilterNode
{
    private readonly byte[] _literal = Encoding.UTF8.GetBytes(literal);

    public override bool Evaluate(EventRecord record)
    {
        var v = record.RawUtf8(ordinal);
        return op switch
        {
            ComparisonOperator.Equal => v.SequenceEqual(_literal),
            ComparisonOperator.NotEqual => !v.SequenceEqual(_literal),
            _ => op.Holds(Math.Sign(v.SequenceCompareTo(_literal))),
        };
    }

    public override void WriteCanonical(StringBuilder sb) =>
        sb.Append(field).Append(' ').Append(op.ToSymbol()).Append(' ').Append(FilterCompiler.Quote(literal));
}

/// <summary><c>field IN (...)</c> over an exact integer field; the literals are already converted (inexact ones dropped, they can never match).</summary>
internal sealed class ExactInNode(int ordinal, string field, long[] values, string[] literals) : FilterNode
{
    public override bool Evaluate(EventRecord record)
    {
        var v = record.RawBits(ordinal);
        return values.AsSpan().Contains(v);
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append(field).Append(" IN (").AppendJoin(", ", literals).Append(')');
}

/// <summary><c>field IN (...)</c> over a double field.</summary>
internal sealed class DoubleInNode(int ordinal, string field, double[] values, string[] literals) : FilterNode
{
    public override bool Evaluate(EventRecord record)
    {
        var v = BitConverter.Int64BitsToDouble(record.RawBits(ordinal));
        foreach (var x in values)
        {
            if (v == x)
            {
                return true;
            }
        }

        return false;
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append(field).Append(" IN (").AppendJoin(", ", literals).Append(')');
}

/// <summary><c>field IN (...)</c> over a string field.</summary>
internal sealed class StringInNode(int ordinal, string field, string[] values) : FilterNode
{
    private readonly byte[][] _values = values.Select(Encoding.UTF8.GetBytes).ToArray();

    public override bool Evaluate(EventRecord record)
    {
        var v = record.RawUtf8(ordinal);
        foreach (var x in _values)
        {
            if (v.SequenceEqual(x))
            {
                return true;
            }
        }

        return false;
    }

    public override void WriteCanonical(StringBuilder sb) =>
        sb.Append(field).Append(" IN (").AppendJoin(", ", values.Select(FilterCompiler.Quote)).Append(')');
}
