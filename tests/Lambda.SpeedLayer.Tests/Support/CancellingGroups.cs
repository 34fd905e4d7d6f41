using System.Collections;
using Lambda.Shared.Aggregation;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>
/// A list of one group repeated that runs <paramref name="cut"/> when the writer reaches row
/// <paramref name="cutAt"/>, to cut an insert off in the middle of its body (cancel it, fail it, or close its
/// connection). The store enumerates the rows twice (a validation pass, then the write): the cut happens in the second.
/// </summary>
internal sealed class CancellingGroups(ViewGroup group, int count, int cutAt, Action cut) : IReadOnlyList<ViewGroup>
{
    private int _passes;

    public int Count => count;

    public ViewGroup this[int index] => group;

    public IEnumerator<ViewGroup> GetEnumerator()
    {
        var pass = ++_passes;
        for (var i = 0; i < count; i++)
        {
            if (i == cutAt && pass == 2)
            {
                cut();
            }

            yield return group;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
