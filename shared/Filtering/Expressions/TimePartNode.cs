using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary><c>hour_of_day(ts)</c> (0..23) or <c>day_of_week(ts)</c> (ISO: Monday = 1 .. Sunday = 7), in UTC; a long.</summary>
internal sealed class TimePartNode(TimePart part, ValueNode operand) : ValueNode(FieldType.Long)
{
    private const long MillisecondsPerDay = 86_400_000;

    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        if (!operand.TryEvaluate(record, out var ms))
        {
            bits = 0;
            return false;
        }

        var day = Math.DivRem(ms, MillisecondsPerDay, out var inDay);
        if (inDay < 0)
        {
            day--;
            inDay += MillisecondsPerDay;
        }

        // Day 0 (1970-01-01) was a Thursday, ISO day 4.
        bits = part == TimePart.HourOfDay ? inDay / 3_600_000 : ((((day + 3) % 7) + 7) % 7) + 1;
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) => WriteCall(sb, part == TimePart.HourOfDay ? "hour_of_day" : "day_of_week", operand);
}
