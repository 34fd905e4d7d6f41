using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>A string constant.</summary>
internal sealed class StringLiteralNode(string value) : StringValueNode
{
    private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(value);

    public string Value { get; } = value;

    public override bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8)
    {
        utf8 = _utf8;
        return true;
    }

    public override void WriteCanonical(StringBuilder sb) => sb.Append(FilterCompiler.Quote(Value));
}
