namespace Lambda.Benchmarks.Soak;

/// <summary>
/// What the platform must count: per view and group, the count and sum of the amounts of the events the API accepted,
/// computed here from what was sent (the soak's own groups only, so the demo generator's orders do not mix in).
/// </summary>
internal sealed class SoakOracle
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string View, string Group), GroupTotal> _totals = [];

    public void Add(SoakView view, string group, decimal amount)
    {
        lock (_lock)
        {
            _totals[(view.Name, group)] = _totals.GetValueOrDefault((view.Name, group)).Add(amount);
        }
    }

    /// <summary>The expected totals of <paramref name="view"/>, by group.</summary>
    public IReadOnlyDictionary<string, GroupTotal> Of(SoakView view)
    {
        lock (_lock)
        {
            return _totals.Where(t => t.Key.View == view.Name).ToDictionary(t => t.Key.Group, t => t.Value, StringComparer.Ordinal);
        }
    }
}
