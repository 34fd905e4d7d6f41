using Lambda.BatchLayer.Loading;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>An <see cref="IBatchViewLoader"/> that records loads and fails while told to.</summary>
public sealed class RecordingLoader : IBatchViewLoader
{
    public List<(string View, DateOnly Day, string File)> Loads { get; } = [];

    public int FailuresLeft { get; set; }

    public Task<long> LoadDayAsync(ViewDefinition view, DateOnly day, string file, CancellationToken cancellationToken)
    {
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new IOException("ClickHouse is down");
        }

        lock (Loads)
        {
            Loads.Add((view.Name, day, file));
        }

        return Task.FromResult(1L);
    }
}
