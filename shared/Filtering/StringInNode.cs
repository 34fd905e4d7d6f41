using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

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
