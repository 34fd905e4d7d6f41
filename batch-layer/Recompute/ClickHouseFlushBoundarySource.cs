using System.Globalization;
using System.Text;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.ClickHouse;
using Microsoft.Extensions.Logging;

namespace Lambda.BatchLayer.Recompute;

/// <summary>
/// Reads flush boundaries from the view's speed table in ClickHouse (design-notes: table
/// <c>speed_&lt;view&gt;_&lt;hash8&gt;</c>, one row per delta or marker with columns <c>partition</c> UInt16 and
/// <c>last_offset</c> Int64; every row of a flush carries the flush's range, so the boundaries are the distinct
/// <c>last_offset + 1</c>). One query per view: <c>max(last_offset) + 1</c> per partition among the rows with
/// <c>last_offset &lt; limit</c>. A missing table (the speed layer has not run this view version) means no boundaries.
/// </summary>
public sealed class ClickHouseFlushBoundarySource : IFlushBoundarySource
{
    private readonly IClickHouseClient _client;
    private readonly ILogger<ClickHouseFlushBoundarySource> _logger;

    /// <summary>Creates the source over <paramref name="client"/>.</summary>
    public ClickHouseFlushBoundarySource(IClickHouseClient client, ILogger<ClickHouseFlushBoundarySource> logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <summary>The speed table of a view version: <c>speed_&lt;view&gt;_&lt;hash8&gt;</c>.</summary>
    public static string TableName(ViewDefinition view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return $"speed_{view.Name}_{BatchViewLayout.Hash8(view.DefinitionHash)}";
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetHighestBoundariesAsync(ViewDefinition view, IReadOnlyDictionary<int, long> limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(limits);
        var result = new Dictionary<int, long>();
        var wanted = limits.Where(l => l.Value > 0).OrderBy(l => l.Key).ToArray();
        if (wanted.Length == 0)
        {
            return result;
        }

        var table = TableName(view);
        var qualified = ClickHouseSql.QualifiedName(_client.Database, table);
        var exists = await _client.QueryScalarAsync<ulong>($"EXISTS TABLE {qualified}", cancellationToken).ConfigureAwait(false);
        if (exists == 0)
        {
            _logger.LogInformation("View {View}: speed table {Table} does not exist; no flush boundaries", view.Name, table);
            return result;
        }

        var partition = ClickHouseSql.QuoteIdentifier("partition");
        var lastOffset = ClickHouseSql.QuoteIdentifier("last_offset");
        var where = new StringBuilder();
        foreach (var (p, limit) in wanted)
        {
            where.Append(where.Length == 0 ? string.Empty : " OR ")
                .Append(CultureInfo.InvariantCulture, $"({partition} = {p} AND {lastOffset} < {limit})");
        }

        var sql = $"SELECT toInt32({partition}) AS p, max({lastOffset}) + 1 AS boundary FROM {qualified} WHERE {where} GROUP BY {partition}";
        await foreach (var row in _client.QueryAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            result[row.GetInt32(0)] = row.GetInt64(1);
        }

        return result;
    }
}
