using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

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
