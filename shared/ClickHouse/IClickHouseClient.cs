namespace Lambda.Shared.ClickHouse;

/// <summary>
/// The seam to ClickHouse: SQL over the HTTP interface, results as TabSeparatedWithNamesAndTypes,
/// inserts as RowBinary. Works with ClickHouse 18.16 and current releases. Failures are
/// <see cref="ClickHouseException"/>s (except caller cancellation and bad arguments).
/// Convenience overloads live in <see cref="ClickHouseClientExtensions"/>.
/// </summary>
public interface IClickHouseClient
{
    /// <summary>The database calls run in unless <see cref="ClickHouseCallOptions.Database"/> says otherwise.</summary>
    string Database { get; }

    /// <summary>
    /// Runs a statement (DDL, ALTER, OPTIMIZE, INSERT ... SELECT, ...) and discards any output.
    /// Not retried unless <paramref name="options"/> marks it idempotent.
    /// </summary>
    Task ExecuteAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a query and returns a reader positioned before the first row; the rows stream from
    /// the server as they are read. Opening is retried on transient failures (unless
    /// <paramref name="options"/> says the call is not idempotent); a failure while rows are read
    /// is thrown from <see cref="ClickHouseReader.ReadAsync"/> and is the caller's to retry.
    /// <paramref name="sql"/> must not carry a FORMAT clause (the client asks for TabSeparatedWithNamesAndTypes).
    /// </summary>
    Task<ClickHouseReader> OpenReaderAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a query and returns all rows. The whole call, reading included, is retried on
    /// transient failures unless <paramref name="options"/> says it is not idempotent.
    /// </summary>
    Task<IReadOnlyList<ClickHouseRow>> QueryRowsAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts RowBinary rows into <paramref name="table"/> (a bare table name in the call's
    /// database; it is quoted here) with the given columns, in that order (an empty list means
    /// all columns in table order). <paramref name="writeRows"/> writes the rows and should call
    /// <see cref="RowBinaryWriter.FlushIfNeededAsync"/> between rows so the body streams.
    /// One call is one INSERT. ClickHouse commits it as one part per block (up to
    /// max_insert_block_size rows, 1,048,576 by default) and per partition of the target table:
    /// an insert that spans several partitions, blocks or materialized views is not atomic as a whole.
    /// Not retried unless <paramref name="options"/> marks it idempotent; then
    /// <paramref name="writeRows"/> may run again and must write the same rows again.
    /// </summary>
    Task InsertAsync(
        string table,
        IReadOnlyList<string> columns,
        Func<RowBinaryWriter, CancellationToken, ValueTask> writeRows,
        ClickHouseCallOptions? options,
        CancellationToken cancellationToken);

    /// <summary>Creates <see cref="Database"/> if it does not exist (idempotent, retried).</summary>
    Task EnsureDatabaseAsync(CancellationToken cancellationToken);
}
