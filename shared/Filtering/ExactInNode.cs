using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

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
