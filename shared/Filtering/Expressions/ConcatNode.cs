using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary><c>concat(a, b, …)</c> of strings, written to the record's arena; null when any argument is null.</summary>
internal sealed class ConcatNode(ValueNode[] arguments) : StringValueNode
{
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;

        // An argument may write its own value to the arena (lower, concat, ...), so each piece is first copied to the
        // arena's end as it comes, then the pieces are joined there.
        Span<int> offsets = arguments.Length <= 16 ? stackalloc int[arguments.Length] : new int[arguments.Length];
        Span<int> lengths = arguments.Length <= 16 ? stackalloc int[arguments.Length] : new int[arguments.Length];
        var total = 0;
        for (var i = 0; i < arguments.Length; i++)
        {
            if (!arguments[i].TryEvaluateUtf8(record, out var part))
            {
                return false;
            }

            part.CopyTo(record.ReserveScratch(part.Length));
            offsets[i] = record.CommitScratch(part.Length, out _);
            lengths[i] = part.Length;
            total += part.Length;
        }

        var target = record.ReserveScratch(total);
        var written = 0;
        for (var i = 0; i < arguments.Length; i++)
        {
            record.ScratchAt(offsets[i], lengths[i]).CopyTo(target[written..]);
            written += lengths[i];
        }

        record.CommitScratch(written, out utf8);
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) => WriteCall(sb, "concat", arguments);
}
