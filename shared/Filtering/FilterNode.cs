using System.Text;
using Lambda.Shared.Events;

namespace Lambda.Shared.Filtering;

/// <summary>A compiled filter expression node. Evaluation allocates nothing.</summary>
internal abstract class FilterNode
{
    public abstract bool Evaluate(EventRecord record);

    /// <summary>Writes the normalised text (fully parenthesised, canonical literals).</summary>
    public abstract void WriteCanonical(StringBuilder sb);
}
