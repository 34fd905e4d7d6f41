using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Lambda.Shared.ClickHouse;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// An <see cref="IClickHouseClient"/> that times every call of the client it wraps, per kind of statement (the SQL's first
/// words, table names left out), so a benchmark can say where its ClickHouse time goes.
/// </summary>
internal sealed partial class TimedClickHouseClient(IClickHouseClient inner) : IClickHouseClient
{
    private readonly Dictionary<string, (int Calls, double Milliseconds)> _kinds = new(StringComparer.Ordinal);

    public string Database => inner.Database;

    public Task ExecuteAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken) =>
        TimeAsync(KindOf(sql), () => inner.ExecuteAsync(sql, options, cancellationToken));

    public Task<ClickHouseReader> OpenReaderAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken) =>
        TimeAsync(KindOf(sql), () => inner.OpenReaderAsync(sql, options, cancellationToken));

    public Task<IReadOnlyList<ClickHouseRow>> QueryRowsAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken) =>
        TimeAsync(KindOf(sql), () => inner.QueryRowsAsync(sql, options, cancellationToken));

    public Task InsertAsync(
        string table, IReadOnlyList<string> columns, Func<RowBinaryWriter, CancellationToken, ValueTask> writeRows, ClickHouseCallOptions? options, CancellationToken cancellationToken) =>
        TimeAsync("INSERT (RowBinary)", () => inner.InsertAsync(table, columns, writeRows, options, cancellationToken));

    public Task EnsureDatabaseAsync(CancellationToken cancellationToken) => TimeAsync("CREATE DATABASE", () => inner.EnsureDatabaseAsync(cancellationToken));

    /// <summary>Calls and time per kind since the last call, most time first; then starts again from zero.</summary>
    public string TakeSummary()
    {
        lock (_kinds)
        {
            var total = _kinds.Values.Sum(k => k.Milliseconds);
            var text = string.Join("; ", _kinds.OrderByDescending(k => k.Value.Milliseconds).Select(k => string.Create(
                CultureInfo.InvariantCulture, $"{k.Key} {k.Value.Calls}x {k.Value.Milliseconds / 1000:F2} s")));
            var calls = _kinds.Values.Sum(k => k.Calls);
            _kinds.Clear();
            return string.Create(CultureInfo.InvariantCulture, $"{calls} statements, {total / 1000:F2} s in ClickHouse calls: {text}");
        }
    }

    private static string KindOf(string sql)
    {
        var words = WordPattern().Matches(sql).Select(m => m.Value).Where(w => w == w.ToUpperInvariant() && w.Any(char.IsLetter)).Take(3);
        return string.Join(" ", words);
    }

    private async Task<T> TimeAsync<T>(string kind, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call();
        }
        finally
        {
            Record(kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async Task TimeAsync(string kind, Func<Task> call)
    {
        await TimeAsync<bool>(kind, async () =>
        {
            await call();
            return true;
        });
    }

    private void Record(string kind, double milliseconds)
    {
        lock (_kinds)
        {
            var current = _kinds.GetValueOrDefault(kind);
            _kinds[kind] = (current.Calls + 1, current.Milliseconds + milliseconds);
        }
    }

    [GeneratedRegex(@"[A-Za-z_]+")]
    private static partial Regex WordPattern();
}
