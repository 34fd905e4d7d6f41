namespace Lambda.Shared.Dataset;

/// <summary>
/// Resolves the commit records of one partition to the chain a reader uses: a complete compaction record
/// replaces every record its range covers (the commits it superseded, and earlier compaction records inside
/// it); an incomplete one (its files not all in place yet) is ignored, so the records it will supersede
/// stay in force. Either way the chain covers the same offsets.
/// </summary>
internal static class CommitChain
{
    /// <summary>The effective records of one partition, sorted by first offset.</summary>
    /// <param name="records">Every record of the partition.</param>
    /// <param name="isComplete">Whether a compaction record's files are all in place.</param>
    public static List<DatasetCommit> Resolve(IEnumerable<DatasetCommit> records, Func<DatasetCommit, bool> isComplete)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(isComplete);
        var all = records.ToList();
        var winners = all.Where(r => r.IsCompaction && isComplete(r)).ToList();
        var chain = all
            .Where(r => (!r.IsCompaction || winners.Contains(r, ReferenceEqualityComparer.Instance)) && !winners.Any(w => w.Covers(r)))
            .ToList();
        chain.Sort((a, b) => a.FirstOffset.CompareTo(b.FirstOffset));
        return chain;
    }
}
