using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>The event time (the source's <c>time:</c> property), a timestamp.</summary>
internal sealed class EventTimeNode(string name) : ValueNode(FieldType.Timestamp)
{
    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        bits = record.RawTimestamp;
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append(name);
}
