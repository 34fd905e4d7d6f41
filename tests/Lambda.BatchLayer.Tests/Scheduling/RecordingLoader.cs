using Lambda.BatchLayer.Loading;
using Lambda.Shared.Catalog;

namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// An <see cref="IBatchViewLoader"/> that stands in for one ClickHouse database: it records loads, remembers per
/// batch table and day which file it holds (as the real loader records it), and fails while told to.
/// </summary>
public sealed class RecordingLoader : IBatchViewLoader
{
    private readonly Dictionary<string, Dictionary<DateOnly, LoadedBatchDay>> _held = new(StringComparer.Ordinal);

    public List<(string View, DateOnly Day, string File)> Loads { get; } = [];

    public int FailuresLeft { get; set; }

    /// <summary>The (run id, file) the batch table of <paramref name="view"/> holds for <paramref name="day"/>, or null.</summary>
    public (string RunId, string File)? Held(ViewDefinition view, DateOnly day)
    {
        lock (_held)
        {
            return _held.TryGetValue(BatchTable.TableName(view), out var days) && days.TryGetValue(day, out var held) ? (held.RunId, held.File) : null;
        }
    }

    public Task<IReadOnlyDictionary<DateOnly, LoadedBatchDay>> GetLoadedDaysAsync(ViewDefinition view, CancellationToken cancellationToken)
    {
        lock (_held)
        {
            IReadOnlyDictionary<DateOnly, LoadedBatchDay> days = _held.TryGetValue(BatchTable.TableName(view), out var held)
                ? new Dictionary<DateOnly, LoadedBatchDay>(held)
                : new Dictionary<DateOnly, LoadedBatchDay>();
            return Task.FromResult(days);
        }
    }

    /// <summary>Records every day of the call, or, while <see cref="FailuresLeft"/> is positive, fails the whole call and records nothing.</summary>
    public Task<long> LoadDaysAsync(ViewDefinition view, IReadOnlyList<BatchDayFile> days, CancellationToken cancellationToken)
    {
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new IOException("ClickHouse is down");
        }

        long rows = 0;
        foreach (var (day, path) in days)
        {
            lock (Loads)
            {
                Loads.Add((view.Name, day.Day, path));
            }

            lock (_held)
            {
                var table = BatchTable.TableName(view);
                if (!_held.TryGetValue(table, out var held))
                {
                    _held[table] = held = [];
                }

                held[day.Day] = new LoadedBatchDay(day.Day, day.RunId, day.File, day.Rows, DateTimeOffset.UtcNow);
            }

            rows += day.Rows;
        }

        return Task.FromResult(rows);
    }
}
