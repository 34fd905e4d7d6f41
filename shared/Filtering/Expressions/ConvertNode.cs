using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// Widens a number to the common type of an operation: long or decimal to double, long to decimal, a decimal to a
/// larger scale (null when the value then needs more than 18 digits). Canonical text is the operand's: the
/// conversion follows from the types.
/// </summary>
internal sealed class ConvertNode(ValueNode operand, FieldType type) : ValueNode(type)
{
    private readonly int _fromScale = ExactMath.ScaleOf(operand.Type);

    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        if (!operand.TryEvaluate(record, out var v))
        {
            bits = 0;
            return false;
        }

        if (Type.Kind == FieldKind.Double)
        {
            bits = BitConverter.DoubleToInt64Bits(ExactMath.ToDouble(operand.Type, v));
            return true;
        }

        return ExactMath.TryRescale(v, _fromScale, Type.Scale, out bits);
    }

    public override void WriteCanonical(StringBuilder sb) => operand.WriteCanonical(sb);
}
