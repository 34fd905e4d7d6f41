using System.Globalization;
using System.Text.Json;
using Lambda.BatchLayer.Status;
using Lambda.Shared.Drift;
using Lambda.Shared.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Lambda.BatchLayer.Drift;

/// <summary><see cref="IDriftAuditStore"/> in PostgreSQL (tables of <see cref="DriftSchema"/> in <see cref="DriftOptions.Schema"/>), through Npgsql.</summary>
public sealed class PostgresDriftAuditStore : IDriftAuditStore
{
    /// <summary>Longest error text stored.</summary>
    public const int MaxErrorLength = 2000;

    private readonly BatchDatabase _database;
    private readonly string _prefix;
    private readonly PostgresSchemaGate _gate;

    /// <summary>Creates the store over <paramref name="database"/>.</summary>
    public PostgresDriftAuditStore(BatchDatabase database, IOptions<DriftOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = database ?? throw new ArgumentNullException(nameof(database));
        var schema = options.Value.Schema;
        _prefix = DriftSchema.Prefix(schema);
        _gate = new PostgresSchemaGate(DriftSchema.SchemaLockKey, DriftSchema.StatementsFor(schema));
    }

    /// <inheritdoc/>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => _gate.EnsureAsync(_database.DataSource, cancellationToken);

    /// <inheritdoc/>
    public async Task SaveAsync(DriftViewAudit audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
            $"""
            INSERT INTO {_prefix}drift_audits (id, run_id, view_name, view_hash, ranges, outcome, differences, speed_groups, batch_groups, reference_version, error, audited_at)
            VALUES (@id, @run_id, @view_name, @view_hash, @ranges, @outcome, @differences, @speed_groups, @batch_groups, @reference_version, @error, @audited_at)
            """,
            connection,
            transaction))
        {
            var p = command.Parameters;
            p.AddWithValue("id", audit.Id);
            p.AddWithValue("run_id", audit.RunId);
            p.AddWithValue("view_name", audit.View);
            p.AddWithValue("view_hash", audit.ViewHash);
            p.Add(new NpgsqlParameter("ranges", NpgsqlDbType.Jsonb) { Value = RangesJson(audit) });
            p.AddWithValue("outcome", audit.Outcome);
            p.AddWithValue("differences", audit.DifferenceCount);
            p.AddWithValue("speed_groups", audit.SpeedGroups);
            p.AddWithValue("batch_groups", audit.BatchGroups);
            p.Add(new NpgsqlParameter("reference_version", NpgsqlDbType.Text) { Value = (object?)audit.ReferenceVersion ?? DBNull.Value });
            p.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = audit.Error is { } e ? e[..Math.Min(e.Length, MaxErrorLength)] : DBNull.Value });
            p.AddWithValue("audited_at", audit.AuditedAt.ToUniversalTime());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (audit.Differences.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            for (var i = 0; i < audit.Differences.Count; i++)
            {
                var d = audit.Differences[i];
                var row = new NpgsqlBatchCommand(
                    $"INSERT INTO {_prefix}drift_differences (audit_id, ordinal, view_name, bucket, group_key, measure, speed_value, batch_value) "
                    + "VALUES (@audit_id, @ordinal, @view_name, @bucket, @group_key, @measure, @speed_value, @batch_value)");
                row.Parameters.AddWithValue("audit_id", audit.Id);
                row.Parameters.AddWithValue("ordinal", i);
                row.Parameters.AddWithValue("view_name", audit.View);
                row.Parameters.AddWithValue("bucket", d.Bucket.ToUniversalTime());
                row.Parameters.Add(new NpgsqlParameter("group_key", NpgsqlDbType.Jsonb) { Value = GroupJson(d) });
                row.Parameters.AddWithValue("measure", d.Measure);
                row.Parameters.Add(new NpgsqlParameter("speed_value", NpgsqlDbType.Jsonb) { Value = d.SpeedValue });
                row.Parameters.Add(new NpgsqlParameter("batch_value", NpgsqlDbType.Jsonb) { Value = d.BatchValue });
                batch.BatchCommands.Add(row);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string RangesJson(DriftViewAudit audit) => JsonSerializer.Serialize(
        audit.Ranges.OrderBy(r => r.Key).ToDictionary(
            r => r.Key.ToString(CultureInfo.InvariantCulture),
            r => new Dictionary<string, long> { ["from"] = r.Value.From, ["to"] = r.Value.To }));

    // An object keeps the view's dimension order in PostgreSQL's jsonb only by name; readers order by the catalog.
    private static string GroupJson(DriftDifference difference) =>
        JsonSerializer.Serialize(difference.Group.ToDictionary(g => g.Key, g => g.Value, StringComparer.Ordinal));
}
