using Lambda.Shared.Aggregation;
using Lambda.Shared.ClickHouse;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Loading;

/// <summary>
/// Replaces the partitions of day files in a ClickHouse table (18.16 and current releases) through a staging table: an empty
/// staging table of the target's structure, one <c>INSERT</c> of every day's rows into it, then one
/// <c>ALTER TABLE t REPLACE PARTITION p1 FROM staging, REPLACE PARTITION p2 FROM staging, ...</c>. Every swap is atomic for its
/// partition, which is all readers rely on (a day is old or new, never a mix). The staging table is dropped afterwards.
/// </summary>
/// <remarks>
/// Days without rows are left to the caller: current releases refuse to replace a partition from a staging table without a
/// part in it ("would silently drop the destination partition's data").
/// </remarks>
public sealed partial class StagedPartitionReplacer
{
    private static readonly ClickHouseCallOptions Idempotent = new() { Idempotent = true };

    private readonly IClickHouseClient _client;
    private readonly ILogger _logger;

    /// <summary>Creates the replacer over <paramref name="client"/>'s database.</summary>
    public StagedPartitionReplacer(IClickHouseClient client, ILogger logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Swaps the partitions of <paramref name="days"/> that have rows into <paramref name="table"/>, each day's rows written with
    /// <paramref name="writeRow"/> in <paramref name="columns"/> order and its partition named by <paramref name="partitionOf"/>.
    /// </summary>
    /// <param name="table">The target table in the client's database.</param>
    /// <param name="stagingTable">
    /// The staging table's name; one left by a crashed load is dropped first, so a name may be reused by serialised loads.
    /// </param>
    /// <param name="columns">The columns <paramref name="writeRow"/> writes.</param>
    /// <param name="days">The days; those without rows are skipped.</param>
    /// <param name="writeRow">Writes one group of a day in RowBinary.</param>
    /// <param name="partitionOf">The partition literal of a day in <paramref name="table"/>.</param>
    /// <param name="cancellationToken">Cancels the load (the staging table is dropped all the same).</param>
    /// <returns>The days swapped in.</returns>
    public async Task<int> ReplaceAsync(
        string table,
        string stagingTable,
        IReadOnlyList<string> columns,
        IReadOnlyList<LoadedDayFile> days,
        Action<RowBinaryWriter, LoadedDayFile, ViewGroup> writeRow,
        Func<LoadedDayFile, string> partitionOf,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentException.ThrowIfNullOrEmpty(stagingTable);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(writeRow);
        ArgumentNullException.ThrowIfNull(partitionOf);
        var withRows = days.Where(d => d.Groups.Count > 0).ToArray();
        if (withRows.Length == 0)
        {
            return 0;
        }

        var target = ClickHouseSql.QualifiedName(_client.Database, table);
        var staging = ClickHouseSql.QualifiedName(_client.Database, stagingTable);
        await _client.ExecuteAsync($"DROP TABLE IF EXISTS {staging}", Idempotent, cancellationToken).ConfigureAwait(false);
        await _client.ExecuteAsync($"CREATE TABLE {staging} AS {target}", Idempotent, cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.InsertAsync(
                stagingTable,
                columns,
                async (writer, token) =>
                {
                    foreach (var day in withRows)
                    {
                        foreach (var group in day.Groups)
                        {
                            writeRow(writer, day, group);
                            await writer.FlushIfNeededAsync(token).ConfigureAwait(false);
                        }
                    }
                },
                null,
                cancellationToken).ConfigureAwait(false);
            var swaps = withRows.Select(d => $"REPLACE PARTITION {partitionOf(d)} FROM {staging}");
            await _client.ExecuteAsync($"ALTER TABLE {target} {string.Join(", ", swaps)}", Idempotent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await _client.ExecuteAsync($"DROP TABLE IF EXISTS {staging}", Idempotent, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ClickHouseException ex)
            {
                // Harmless: nothing reads it, it only holds a copy of rows the target has, and a load reusing its name drops it first.
                LogStagingLeft(_logger, ex, stagingTable);
            }
        }

        return withRows.Length;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drop staging table {Table}")]
    private static partial void LogStagingLeft(ILogger logger, Exception exception, string table);
}
