using Lambda.Shared.Measures;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// A first-in first-out queue of buckets' measure states that can give the merge of everything it holds at any
/// time, for any measure: the states are monoid elements with no inverse (a maximum or a sketch cannot be taken
/// out of a merge), so the queue is two stacks. Pushed buckets go on the back stack, whose merge is kept as they
/// come; when the front stack runs empty, the back stack is moved over and each moved bucket keeps the merge of
/// itself and every newer one moved with it. The merge of the queue is then the oldest front entry's merge ⊕ the
/// back stack's merge. Each bucket costs at most two merges and one copy over its stay, a merge of the queue one
/// copy and one merge: amortised O(1) merges per bucket, whatever the window's length.
/// </summary>
/// <remarks>Never changes the states pushed (they belong to the accumulator, and an answer's rows may share them).</remarks>
internal sealed class WindowQueue
{
    // Top = oldest bucket; each entry's Merged holds its bucket's states merged with every newer bucket moved with it.
    private readonly Stack<(long Bucket, MeasureState[] Merged)> _front = new();

    // Newest last.
    private readonly List<(long Bucket, IReadOnlyList<MeasureState> States)> _back = [];
    private MeasureState[]? _backMerged;

    /// <summary>Buckets held.</summary>
    public int Count => _front.Count + _back.Count;

    /// <summary>Start of the oldest bucket held.</summary>
    /// <exception cref="InvalidOperationException">The queue is empty.</exception>
    public long OldestBucket => _front.Count > 0 ? _front.Peek().Bucket
        : _back.Count > 0 ? _back[0].Bucket
        : throw new InvalidOperationException("the window queue is empty");

    /// <summary>Adds the newest bucket.</summary>
    public void Push(long bucket, IReadOnlyList<MeasureState> states)
    {
        _back.Add((bucket, states));
        if (_backMerged is null)
        {
            _backMerged = Copy(states);
        }
        else
        {
            MergeInto(_backMerged, states);
        }
    }

    /// <summary>Removes the oldest bucket.</summary>
    /// <exception cref="InvalidOperationException">The queue is empty.</exception>
    public void Pop()
    {
        if (_front.Count == 0)
        {
            if (_back.Count == 0)
            {
                throw new InvalidOperationException("the window queue is empty");
            }

            MoveBackToFront();
        }

        _front.Pop();
    }

    /// <summary>New states: the merge of every bucket held.</summary>
    /// <exception cref="InvalidOperationException">The queue is empty.</exception>
    public MeasureState[] Merge()
    {
        if (_front.Count == 0)
        {
            return _backMerged is null ? throw new InvalidOperationException("the window queue is empty") : Copy(_backMerged);
        }

        var merged = Copy(_front.Peek().Merged);
        if (_backMerged is not null)
        {
            MergeInto(merged, _backMerged);
        }

        return merged;
    }

    private void MoveBackToFront()
    {
        MeasureState[]? newer = null;
        for (var i = _back.Count - 1; i >= 0; i--)
        {
            var (bucket, states) = _back[i];
            var merged = Copy(states);
            if (newer is not null)
            {
                MergeInto(merged, newer);
            }

            _front.Push((bucket, merged));
            newer = merged;
        }

        _back.Clear();
        _backMerged = null;
    }

    private static MeasureState[] Copy(IReadOnlyList<MeasureState> states)
    {
        var copy = new MeasureState[states.Count];
        for (var m = 0; m < copy.Length; m++)
        {
            copy[m] = states[m].Clone();
        }

        return copy;
    }

    private static void MergeInto(MeasureState[] target, IReadOnlyList<MeasureState> states)
    {
        for (var m = 0; m < target.Length; m++)
        {
            target[m].Merge(states[m]);
        }
    }
}
