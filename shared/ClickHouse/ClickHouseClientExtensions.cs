using System.Runtime.CompilerServices;

namespace Lambda.Shared.ClickHouse;

/// <summary>Convenience forms of the <see cref="IClickHouseClient"/> calls.</summary>
public static class ClickHouseClientExtensions
{
    /// <summary>Runs a statement with default options (not retried).</summary>
    public static Task ExecuteAsync(this IClickHouseClient client, string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.ExecuteAsync(sql, null, cancellationToken);
    }

    /// <summary>Streams the rows of a query (opening is retried on transient failures).</summary>
    public static IAsyncEnumerable<ClickHouseRow> QueryAsync(this IClickHouseClient client, string sql, CancellationToken cancellationToken = default) =>
        client.QueryAsync(sql, null, cancellationToken);

    /// <summary>Streams the rows of a query with per-call options.</summary>
    public static async IAsyncEnumerable<ClickHouseRow> QueryAsync(
        this IClickHouseClient client,
        string sql,
        ClickHouseCallOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        await using var reader = await client.OpenReaderAsync(sql, options, cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }

    /// <summary>All rows of a query (retried as a whole on transient failures).</summary>
    public static Task<IReadOnlyList<ClickHouseRow>> QueryRowsAsync(this IClickHouseClient client, string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.QueryRowsAsync(sql, null, cancellationToken);
    }

    /// <summary>
    /// The first column of the single row a query returns, as <typeparamref name="T"/> (see
    /// <see cref="ClickHouseRow.GetFieldValue{T}"/>). Throws if the query returns no row or more than one.
    /// </summary>
    public static Task<T> QueryScalarAsync<T>(this IClickHouseClient client, string sql, CancellationToken cancellationToken = default) =>
        client.QueryScalarAsync<T>(sql, null, cancellationToken);

    /// <summary>The first column of the single row a query returns, with per-call options.</summary>
    public static async Task<T> QueryScalarAsync<T>(
        this IClickHouseClient client, string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var rows = await client.QueryRowsAsync(sql, options, cancellationToken).ConfigureAwait(false);
        return rows.Count == 1
            ? rows[0].GetFieldValue<T>(0)
            : throw new InvalidOperationException($"The query returned {rows.Count} rows where one was expected: {sql}");
    }

    /// <summary>Inserts rows written by <paramref name="writeRows"/> with default options (not retried).</summary>
    public static Task InsertAsync(
        this IClickHouseClient client,
        string table,
        IReadOnlyList<string> columns,
        Func<RowBinaryWriter, CancellationToken, ValueTask> writeRows,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.InsertAsync(table, columns, writeRows, null, cancellationToken);
    }

    /// <summary>
    /// Inserts one RowBinary row per item (<paramref name="writeRow"/> writes its columns in the
    /// order of <paramref name="columns"/>), streaming the body; returns the number of rows sent.
    /// If the call is marked idempotent and retried, <paramref name="rows"/> is enumerated again.
    /// </summary>
    public static async Task<long> InsertAsync<T>(
        this IClickHouseClient client,
        string table,
        IReadOnlyList<string> columns,
        IEnumerable<T> rows,
        Action<RowBinaryWriter, T> writeRow,
        ClickHouseCallOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(writeRow);
        long count = 0;
        await client.InsertAsync(
            table,
            columns,
            async (writer, token) =>
            {
                count = 0;
                foreach (var row in rows)
                {
                    writeRow(writer, row);
                    count++;
                    await writer.FlushIfNeededAsync(token).ConfigureAwait(false);
                }
            },
            options,
            cancellationToken).ConfigureAwait(false);
        return count;
    }
}
