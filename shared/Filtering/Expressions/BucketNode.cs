using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// <c>bucket(x, width)</c>: <c>floor(x / width) * width</c>, the start of x's band, of x's type (width is a positive
/// constant in x's unit: for a decimal, converted to its scale). Null when the result leaves the type.
/// </summary>
internal sealed class BucketNode(ValueNode operand, long width, string widthText) : ValueNode(operand.Type)
{
    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        bits = 0;
        if (!operand.TryEvaluate(record, out var v))
        {
            return false;
        }

        if (Type.Kind == FieldKind.Double)
        {
            var w = BitConverter.Int64BitsToDouble(width);
            var r = Math.Floor(BitConverter.Int64BitsToDouble(v) / w) * w;
            bits = BitConverter.DoubleToInt64Bits(r + 0d);
            return double.IsFinite(r);
        }

        var start = ExactMath.FloorDivide(v, width) * width;
        return Type.Kind == FieldKind.Decimal ? ExactMath.TryNarrowDecimal(start, out bits, Type.Precision) : ExactMath.TryNarrow(start, out bits);
    }

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append("bucket(");
        operand.WriteCanonical(sb);
        sb.Append(", ").Append(widthText).Append(')');
    }
}
