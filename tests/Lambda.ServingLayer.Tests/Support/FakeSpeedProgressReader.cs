using Lambda.ServingLayer.Pipeline;
using Lambda.Shared.Catalog;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Speed-table progress in memory, per view name; a view in <see cref="Failing"/> throws, one not listed has no table.</summary>
internal sealed class FakeSpeedProgressReader : ISpeedProgressReader
{
    public Dictionary<string, SpeedProgress> Progress { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Failing { get; } = new(StringComparer.Ordinal);

    public Task<SpeedProgress> ReadAsync(ViewDefinition view, CancellationToken cancellationToken) =>
        Failing.Contains(view.Name)
            ? Task.FromException<SpeedProgress>(new InvalidOperationException($"ClickHouse down for {view.Name}"))
            : Task.FromResult(Progress.TryGetValue(view.Name, out var progress) ? progress : new SpeedProgress(new Dictionary<int, long>(), null));
}
