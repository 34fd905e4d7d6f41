using System.Data.Common;
using System.Text.Json;
using Lambda.Shared.Drift;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Lambda.ServingLayer.Drift;

/// <summary><see cref="IDriftReportStore"/> over PostgreSQL (schema <see cref="DriftOptions.Schema"/>), through the serving layer's pool.</summary>
public sealed partial class PostgresDriftReportStore : IDriftReportStore
{
    private const string AuditColumns =
        "id, run_id, view_name, view_hash, ranges::text, outcome, differences, speed_groups, batch_groups, reference_version, error, audited_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _prefix;
    private readonly ILogger<PostgresDriftReportStore> _logger;

    /// <summary>Creates the store.</summary>
    public PostgresDriftReportStore(NpgsqlDataSource dataSource, IOptions<DriftOptions> options, ILogger<PostgresDriftReportStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        _prefix = DriftSchema.Prefix(options.Value.Schema);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DriftAuditRecord>> GetAuditsAsync(string? view, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync(
            $"SELECT {AuditColumns} FROM {_prefix}drift_audits WHERE (@view IS NULL OR view_name = @view) ORDER BY audited_at DESC, id DESC LIMIT @limit",
            p =>
            {
                p.Add(new NpgsqlParameter("view", NpgsqlDbType.Text) { Value = (object?)view ?? DBNull.Value });
                p.Add(new NpgsqlParameter<int>("limit", limit));
            },
            ReadAudit,
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DriftDifferenceRecord>> GetDifferencesAsync(
        string? view, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync(
            $"""
            SELECT d.audit_id, a.run_id, d.view_name, d.bucket, d.group_key::text, d.measure, d.speed_value::text, d.batch_value::text, a.audited_at
            FROM {_prefix}drift_differences d JOIN {_prefix}drift_audits a ON a.id = d.audit_id
            WHERE (@view IS NULL OR d.view_name = @view) AND (@from IS NULL OR d.bucket >= @from) AND (@to IS NULL OR d.bucket < @to)
            ORDER BY a.audited_at DESC, d.audit_id DESC, d.ordinal
            LIMIT @limit
            """,
            p =>
            {
                p.Add(new NpgsqlParameter("view", NpgsqlDbType.Text) { Value = (object?)view ?? DBNull.Value });
                p.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from is { } f ? f.ToUniversalTime() : DBNull.Value });
                p.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to is { } t ? t.ToUniversalTime() : DBNull.Value });
                p.Add(new NpgsqlParameter<int>("limit", limit));
            },
            r => new DriftDifferenceRecord(
                r.GetGuid(0),
                r.GetString(1),
                r.GetString(2),
                r.GetFieldValue<DateTimeOffset>(3).UtcDateTime,
                Json(r.GetString(4)),
                r.GetString(5),
                Json(r.GetString(6)),
                Json(r.GetString(7)),
                r.GetFieldValue<DateTimeOffset>(8).UtcDateTime),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DriftAuditRecord>> GetLatestCompletedAsync(CancellationToken cancellationToken) =>
        ReadAsync(
            $"SELECT DISTINCT ON (view_name) {AuditColumns} FROM {_prefix}drift_audits WHERE outcome <> '{DriftOutcomes.Failed}' "
            + "ORDER BY view_name, audited_at DESC, id DESC",
            _ => { },
            ReadAudit,
            cancellationToken);

    private static DriftAuditRecord ReadAudit(DbDataReader r) => new(
        r.GetGuid(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        Json(r.GetString(4)),
        r.GetString(5),
        r.GetInt32(6),
        r.GetInt32(7),
        r.GetInt32(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.IsDBNull(10) ? null : r.GetString(10),
        r.GetFieldValue<DateTimeOffset>(11).UtcDateTime);

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private async Task<IReadOnlyList<T>> ReadAsync<T>(
        string sql, Action<NpgsqlParameterCollection> parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        try
        {
            await using var command = _dataSource.CreateCommand(sql);
            parameters(command.Parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            // The batch layer creates the tables before its first audit: none yet means no audits yet.
            LogNoTable(_logger, ex.MessageText);
            return [];
        }

        return rows;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No drift audits yet: {Reason}")]
    private static partial void LogNoTable(ILogger logger, string reason);
}
