using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

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
