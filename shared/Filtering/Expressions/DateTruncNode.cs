using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary><c>date_trunc('minute'|'hour'|'day', ts)</c>: the start of the UTC minute, hour or day; a timestamp.</summary>
internal sealed class DateTruncNode(Granularity unit, ValueNode operand) : ValueNode(FieldType.Timestamp)
{
    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        if (!operand.TryEvaluate(record, out var ms))
        {
            bits = 0;
            return false;
        }

        bits = TimeBucket.Floor(ms, unit);
        return true;
    }

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append("date_trunc('").Append(unit.ToName()).Append("', ");
        operand.WriteCanonical(sb);
        sb.Append(')');
    }
}
