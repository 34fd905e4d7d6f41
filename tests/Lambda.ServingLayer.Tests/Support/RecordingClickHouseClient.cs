using Lambda.Shared.ClickHouse;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>A real ClickHouse client that also records the per-call options and the text of every query it runs.</summary>
internal sealed class RecordingClickHouseClient(IClickHouseClient inner) : IClickHouseClient
{
    private readonly List<ClickHouseCallOptions?> _calls = [];
    private readonly List<string> _statements = [];

    public string Database => inner.Database;

    /// <summary>The options of every query and reader opened so far, in order.</summary>
    public IReadOnlyList<ClickHouseCallOptions?> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToArray();
            }
        }
    }

    /// <summary>The text of every query and reader opened so far, in order.</summary>
    public IReadOnlyList<string> Statements
    {
        get
        {
            lock (_calls)
            {
                return _statements.ToArray();
            }
        }
    }

    public Task ExecuteAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken) =>
        inner.ExecuteAsync(sql, options, cancellationToken);

    public Task<ClickHouseReader> OpenReaderAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken) =>
        inner.OpenReaderAsync(sql, Record(sql, options), cancellationToken);

    public Task<IReadOnlyList<ClickHouseRow>> QueryRowsAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken) =>
        inner.QueryRowsAsync(sql, Record(sql, options), cancellationToken);

    public Task InsertAsync(
        string table, IReadOnlyList<string> columns, Func<RowBinaryWriter, CancellationToken, ValueTask> writeRows, ClickHouseCallOptions? options, CancellationToken cancellationToken) =>
        inner.InsertAsync(table, columns, writeRows, options, cancellationToken);

    public Task EnsureDatabaseAsync(CancellationToken cancellationToken) => inner.EnsureDatabaseAsync(cancellationToken);

    private ClickHouseCallOptions? Record(string sql, ClickHouseCallOptions? options)
    {
        lock (_calls)
        {
            _calls.Add(options);
            _statements.Add(sql);
        }

        return options;
    }
}
