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
