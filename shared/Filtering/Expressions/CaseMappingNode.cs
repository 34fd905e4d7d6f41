using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// <c>lower(s)</c> / <c>upper(s)</c>: Unicode invariant case mapping. ASCII text is mapped byte by byte into the
/// record's arena without allocating; other text goes through a string.
/// </summary>
internal sealed class CaseMappingNode(bool upper, ValueNode operand) : StringValueNode
{
    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        if (!operand.TryEvaluateUtf8(record, out var input))
        {
            utf8 = default;
            return false;
        }

        if (System.Text.Ascii.IsValid(input))
        {
            var target = record.ReserveScratch(input.Length);
            if (upper)
            {
                System.Text.Ascii.ToUpper(input, target, out _);
            }
            else
            {
                System.Text.Ascii.ToLower(input, target, out _);
            }

            record.CommitScratch(input.Length, out utf8);
            return true;
        }

        var text = Encoding.UTF8.GetString(input);
        text = upper ? text.ToUpperInvariant() : text.ToLowerInvariant();
        var span = record.ReserveScratch(Encoding.UTF8.GetMaxByteCount(text.Length));
        record.CommitScratch(Encoding.UTF8.GetBytes(text, span), out utf8);
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) => WriteCall(sb, upper ? "upper" : "lower", operand);
}
