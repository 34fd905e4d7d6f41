using System.Text;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering.Expressions;

/// <summary>
/// <c>left op right</c> over numbers. The result type (chosen by <see cref="ExpressionCompiler"/>): long op long is
/// long (integer division truncates toward zero); anything with a double is double; otherwise decimal(18,s) with
/// s = max of the scales for + - %, the sum of the scales (at most 18, extra digits truncated) for *, and
/// max(scales, 6) for / (truncated toward zero). Overflow, more than 18 digits, a non-finite double and division or
/// remainder by zero give null.
/// </summary>
internal sealed class ArithmeticNode : ValueNode
{
    private readonly ArithmeticOperator _op;
    private readonly ValueNode _left;
    private readonly ValueNode _right;
    private readonly int _leftScale;
    private readonly int _rightScale;
    private readonly int _scale;

    public ArithmeticNode(ArithmeticOperator op, ValueNode left, ValueNode right, FieldType type)
        : base(type)
    {
        _op = op;
        _left = left;
        _right = right;
        _leftScale = ExactMath.ScaleOf(left.Type);
        _rightScale = ExactMath.ScaleOf(right.Type);
        _scale = type.Scale;
    }

    public static string Symbol(ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Add => "+",
        ArithmeticOperator.Subtract => "-",
        ArithmeticOperator.Multiply => "*",
        ArithmeticOperator.Divide => "/",
        _ => "%",
    };

    public override bool TryEvaluate(EventRecord record, out long bits)
    {
        bits = 0;
        if (!_left.TryEvaluate(record, out var a) || !_right.TryEvaluate(record, out var b))
        {
            return false;
        }

        return Type.Kind switch
        {
            FieldKind.Long => TryLong(a, b, out bits),
            FieldKind.Double => TryDouble(ExactMath.ToDouble(_left.Type, a), ExactMath.ToDouble(_right.Type, b), out bits),
            _ => TryDecimal(a, b, out bits),
        };
    }

    public override void WriteCanonical(StringBuilder sb)
    {
        sb.Append('(');
        _left.WriteCanonical(sb);
        sb.Append(' ').Append(Symbol(_op)).Append(' ');
        _right.WriteCanonical(sb);
        sb.Append(')');
    }

    private bool TryLong(long a, long b, out long result)
    {
        switch (_op)
        {
            case ArithmeticOperator.Add:
                return ExactMath.TryNarrow((Int128)a + b, out result);
            case ArithmeticOperator.Subtract:
                return ExactMath.TryNarrow((Int128)a - b, out result);
            case ArithmeticOperator.Multiply:
                return ExactMath.TryNarrow((Int128)a * b, out result);
            case ArithmeticOperator.Divide:
                return ExactMath.TryNarrow(b == 0 ? 0 : (Int128)a / b, out result) && b != 0;
            default:
                result = b is 0 or -1 ? 0 : a % b;
                return b != 0;
        }
    }

    private bool TryDouble(double a, double b, out long result)
    {
        var r = _op switch
        {
            ArithmeticOperator.Add => a + b,
            ArithmeticOperator.Subtract => a - b,
            ArithmeticOperator.Multiply => a * b,
            ArithmeticOperator.Divide => b == 0 ? double.NaN : a / b,
            _ => b == 0 ? double.NaN : a % b,
        };
        result = BitConverter.DoubleToInt64Bits(r + 0d);
        return double.IsFinite(r);
    }

    private bool TryDecimal(long a, long b, out long result)
    {
        result = 0;
        switch (_op)
        {
            case ArithmeticOperator.Add:
            case ArithmeticOperator.Subtract:
            case ArithmeticOperator.Remainder:
                Int128 x = a * ExactMath.Pow10(_scale - _leftScale);
                Int128 y = b * ExactMath.Pow10(_scale - _rightScale);
                if (_op == ArithmeticOperator.Remainder)
                {
                    return y != 0 && ExactMath.TryNarrowDecimal(x % y, out result);
                }

                return ExactMath.TryNarrowDecimal(_op == ArithmeticOperator.Add ? x + y : x - y, out result);
            case ArithmeticOperator.Multiply:
                // The exact product has scale leftScale + rightScale; digits beyond the result scale are truncated.
                var product = (Int128)a * b;
                return ExactMath.TryNarrowDecimal(product / ExactMath.Pow10(_leftScale + _rightScale - _scale), out result);
            default:
                if (b == 0)
                {
                    return false;
                }

                // a / 10^ls ÷ b / 10^rs at scale s: a · 10^(s - ls + rs) / b; refused (null) when the numerator leaves Int128.
                var power = ExactMath.Pow10(_scale - _leftScale + _rightScale);
                if (Int128.Abs(a) > Int128.MaxValue / power)
                {
                    return false;
                }

                return ExactMath.TryNarrowDecimal(a * power / b, out result);
        }
    }
}
