using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary>Always true or always false (no filter, or a comparison whose literal is out of the field's range).</summary>
internal sealed class ConstantNode(bool value) : FilterNode
{
    public static ConstantNode True { get; } = new(true);

    public static ConstantNode False { get; } = new(false);

    public bool Value { get; } = value;

    public override bool Evaluate(EventRecord record) => Value;

    public override void WriteCanonical(StringBuilder sb) => sb.Append(Value ? "TRUE" : "FALSE");
}
