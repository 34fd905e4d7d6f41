using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary>
/// A predicate over a derived field, false when that field is null (a comparison with null is not true, as in SQL;
/// <c>NOT</c> outside the predicate negates that false).
/// </summary>
internal sealed class NullGuardNode(int ordinal, FilterNode predicate) : FilterNode
{
    public override bool Evaluate(EventRecord record) => record.IsSet(ordinal) && predicate.Evaluate(record);

    public override void WriteCanonical(StringBuilder sb) => predicate.WriteCanonical(sb);
}
