using System.Globalization;
using DuckDB.NET.Data;

namespace Lambda.BatchLayer.AdHoc;

/// <summary>
/// An embedded DuckDB database with the master dataset and the batch views registered as views
/// (see <see cref="AdHocSqlEngine"/>). Runs one statement at a time; reports DuckDB's query progress
/// while a statement runs and interrupts it on cancellation.
/// </summary>
public sealed class AdHocSession : IDisposable
{
    private static readonly TimeSpan ProgressPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly DuckDBConnection _connection;

    internal AdHocSession(DuckDBConnection connection, IReadOnlyDictionary<string, string> views, AdHocSnapshot snapshot)
    {
        _connection = connection;
        Views = views;
        Snapshot = snapshot;
    }

    /// <summary>The registered views: name → what it reads.</summary>
    public IReadOnlyDictionary<string, string> Views { get; }

    /// <summary>The committed snapshot the views read.</summary>
    public AdHocSnapshot Snapshot { get; }

    /// <summary>The output format a file name asks for: <c>.csv</c> or <c>.parquet</c> (also <c>.pq</c>).</summary>
    /// <exception cref="ArgumentException">Any other extension.</exception>
    public static AdHocOutputFormat FormatFromPath(string path) =>
        TryGetFormat(path, out var format)
            ? format
            : throw new ArgumentException($"output file '{path}' must end in .csv or .parquet (the extension picks the format).", nameof(path));

    /// <summary>The output format a file name asks for, if it names one.</summary>
    public static bool TryGetFormat(string? path, out AdHocOutputFormat format)
    {
        switch (Path.GetExtension(path ?? string.Empty).ToLowerInvariant())
        {
            case ".csv":
                format = AdHocOutputFormat.Csv;
                return true;
            case ".parquet" or ".pq":
                format = AdHocOutputFormat.Parquet;
                return true;
            default:
                format = AdHocOutputFormat.Table;
                return false;
        }
    }

    /// <summary>A DuckDB string literal.</summary>
    public static string QuoteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A DuckDB identifier.</summary>
    public static string QuoteIdentifier(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// Runs <paramref name="sql"/> and returns its first <paramref name="maxRows"/> rows and the total count.
    /// </summary>
    /// <exception cref="AdHocQueryRefusedException"><paramref name="sql"/> is not exactly one SELECT statement.</exception>
    public Task<AdHocResult> QueryAsync(string sql, int maxRows, IProgress<AdHocProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        AdHocStatementGuard.EnsureSingleSelect(_connection, sql);
        return RunAsync(
            sql,
            command =>
            {
                using var reader = command.ExecuteReader();
                var columns = new AdHocColumn[reader.FieldCount];
                for (var i = 0; i < columns.Length; i++)
                {
                    columns[i] = new AdHocColumn(reader.GetName(i), reader.GetDataTypeName(i));
                }

                var rows = new List<object?[]>();
                long total = 0;
                while (reader.Read())
                {
                    total++;
                    if (rows.Count < maxRows)
                    {
                        var values = new object?[columns.Length];
                        for (var i = 0; i < values.Length; i++)
                        {
                            values[i] = reader.IsDBNull(i) ? null : Materialize(reader.GetValue(i));
                        }

                        rows.Add(values);
                    }
                }

                return new AdHocResult(columns, rows, total);
            },
            progress,
            cancellationToken);
    }

    /// <summary>
    /// Writes the result of the query <paramref name="sql"/> to <paramref name="path"/> with DuckDB's
    /// <c>COPY (query) TO</c>; returns the number of rows written. The session must have been opened with
    /// <paramref name="path"/> among its output files (the lockdown refuses every other).
    /// </summary>
    /// <exception cref="AdHocQueryRefusedException"><paramref name="sql"/> is not exactly one SELECT statement.</exception>
    public Task<long> ExportAsync(string sql, string path, AdHocOutputFormat format, IProgress<AdHocProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AdHocStatementGuard.EnsureSingleSelect(_connection, sql);
        var options = format switch
        {
            AdHocOutputFormat.Csv => "FORMAT csv, HEADER true",
            AdHocOutputFormat.Parquet => "FORMAT parquet",
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Only CSV and Parquet are written to files."),
        };
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var copy = $"COPY ({TrimStatement(sql)}) TO {QuoteString(fullPath)} ({options})";
        return RunAsync(copy, command => Convert.ToInt64(command.ExecuteNonQuery(), CultureInfo.InvariantCulture), progress, cancellationToken);
    }

    /// <summary>Runs a statement that returns nothing (used to set up views).</summary>
    internal void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private static string TrimStatement(string sql)
    {
        var trimmed = sql.Trim();
        while (trimmed.EndsWith(';'))
        {
            trimmed = trimmed[..^1].TrimEnd();
        }

        return trimmed;
    }

    private static object? Materialize(object? value)
    {
        // BLOBs come back as streams over DuckDB's memory, valid only until the reader moves on.
        if (value is Stream stream)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        return value;
    }

    private async Task<T> RunAsync<T>(string sql, Func<DuckDBCommand, T> body, IProgress<AdHocProgress>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var command = _connection.CreateCommand();
        command.CommandText = sql;

        // DuckDB blocks its calling thread for the whole statement: give it a thread of its own rather
        // than a pool thread, while the caller's flow polls the progress.
        var execution = Task.Factory.StartNew(() => body(command), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        using (cancellationToken.Register(() => _connection.NativeConnection.Interrupt()))
        {
            while (!execution.IsCompleted)
            {
                await Task.WhenAny(execution, Task.Delay(ProgressPollInterval, CancellationToken.None)).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested && !execution.IsCompleted)
                {
                    // DuckDB clears the interrupt flag when a statement begins: an interrupt that came while the
                    // statement's thread was still starting is lost, so it is repeated until the statement ends.
                    _connection.NativeConnection.Interrupt();
                }

                if (progress is not null && !execution.IsCompleted)
                {
                    var p = _connection.GetQueryProgress();
                    if (p.Percentage >= 0)
                    {
                        progress.Report(new AdHocProgress(p.Percentage, p.RowsProcessed, p.TotalRowsToProcess));
                    }
                }
            }

            try
            {
                return await execution.ConfigureAwait(false);
            }
            catch (DuckDBException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The query was interrupted.", ex, cancellationToken);
            }
        }
    }
}
