namespace Lambda.Benchmarks.Soak;

/// <summary>One generated order: its JSON, and the view and group it must be counted in.</summary>
internal sealed record SoakOrder(string Json, SoakView View, string Group, decimal Amount);
