using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// A compiled, typed node of a value expression (<c>derive:</c>). Evaluation allocates nothing on the common paths:
/// non-string values travel as the record's raw 64-bit form (<see cref="FieldValue.RawBits"/>), strings as UTF-8 spans
/// (a field's own bytes, a slice of them, or bytes written to the record's arena, which lives until the next reset).
/// A result of false means null: a null input or a runtime fault (division by zero, overflow).
/// </summary>
internal abstract class ValueNode(FieldType type)
{
    /// <summary>The static type of the value.</summary>
    public FieldType Type { get; } = type;

    /// <summary>Evaluates a non-string node; false when the value is null.</summary>
    public abstract bool TryEvaluate(EventRecord record, out long bits);

    /// <summary>Evaluates a string node; false when the value is null.</summary>
    public virtual bool TryEvaluateUtf8(EventRecord record, out ReadOnlySpan<byte> utf8) =>
        throw new InvalidOperationException($"a {Type} expression has no UTF-8 value");

    /// <summary>Writes the normalised text (function names lower case, keywords upper case, literals canonical).</summary>
    public abstract void WriteCanonical(StringBuilder sb);

    /// <summary>Writes <c>function(a, b, …)</c>.</summary>
    protected static void WriteCall(StringBuilder sb, string function, params ReadOnlySpan<ValueNode?> arguments)
    {
        sb.Append(function).Append('(');
        var first = true;
        foreach (var argument in arguments)
        {
            if (argument is null)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(", ");
            }

            argument.WriteCanonical(sb);
            first = false;
        }

        sb.Append(')');
    }
}
