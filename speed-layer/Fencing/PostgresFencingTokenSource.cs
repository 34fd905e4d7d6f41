using Lambda.Shared.Postgres;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lambda.SpeedLayer.Fencing;

/// <summary>
/// <see cref="IFencingTokenSource"/> over a PostgreSQL sequence: <c>nextval</c> is monotonic across every session, so a
/// later assignment always gets a larger token than an earlier one, whichever instance takes it. Each token is also
/// recorded in <c>lambda_speed_fencing</c> (group, topic, partition, token, instance, time) for the operator.
/// </summary>
public sealed partial class PostgresFencingTokenSource(
    NpgsqlDataSource dataSource, IOptions<SpeedLayerOptions> options, ILogger<PostgresFencingTokenSource> logger) : IFencingTokenSource
{
    /// <summary>Orders the instances creating the tables ("LSPFENCE").</summary>
    public const long SchemaLockKey = 0x4C_53_50_46_45_4E_43_45;

    private static readonly PostgresSchemaGate Schema = new(SchemaLockKey,
    [
        "CREATE SEQUENCE IF NOT EXISTS lambda_speed_fencing_token",
        "CREATE TABLE IF NOT EXISTS lambda_speed_fencing (group_id text NOT NULL, topic text NOT NULL, partition integer NOT NULL, "
            + "token bigint NOT NULL, instance text NOT NULL, taken_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (token))",
    ]);

    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <inheritdoc/>
    public bool IsEnabled => true;

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> TakeAsync(string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(partitions);
        var tokens = new Dictionary<int, long>(partitions.Count);
        if (partitions.Count == 0)
        {
            return tokens;
        }

        await Schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(
            "INSERT INTO lambda_speed_fencing (group_id, topic, partition, token, instance) "
            + "SELECT @group, @topic, p, nextval('lambda_speed_fencing_token'), @instance FROM unnest(@partitions) AS p ORDER BY p "
            + "RETURNING partition, token");
        command.Parameters.AddWithValue("group", options.Value.GroupId);
        command.Parameters.AddWithValue("topic", topic);
        command.Parameters.AddWithValue("instance", _instance);
        command.Parameters.AddWithValue("partitions", partitions.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        LogTaken(logger, tokens.Count, topic, tokens.Values.Min(), tokens.Values.Max());
        return tokens;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fencing tokens {First}..{Last} taken for {Count} partition(s) of {Topic}")]
    private static partial void LogTaken(ILogger logger, int count, string topic, long first, long last);
}
