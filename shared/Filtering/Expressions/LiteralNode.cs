using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>A non-string constant (long, double, decimal, bool or timestamp) in raw form.</summary>
internal sealed class LiteralNode(FieldType type, long bits) : ValueNode(type)
{
    public long Bits { get; } = bits;

    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        bits = Bits;
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) =>
        sb.Append(Type.Kind switch
        {
            FieldKind.Bool => Bits != 0 ? "TRUE" : "FALSE",
            FieldKind.Timestamp => FilterCompiler.Quote(Time.TimeBucket.ToIso(Bits)),
            _ => CanonicalText.ToString(Type, Bits),
        });
}
