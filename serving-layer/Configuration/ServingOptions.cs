using System.ComponentModel.DataAnnotations;
using Lambda.ServingLayer.Querying;

namespace Lambda.ServingLayer.Configuration;

/// <summary>Settings of the serving layer (configuration section <c>Serving</c>), validated at start-up.</summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Serving";

    /// <summary>
    /// The API keys (<c>Serving:ApiKeys:0:Key</c>, <c>Serving:ApiKeys:0:Scopes:0</c>, ...). Default none: every
    /// protected endpoint answers 401 until keys are configured. Development settings define
    /// <c>dev-ingest-key</c>, <c>dev-query-key</c> and <c>dev-admin-key</c>.
    /// </summary>
    public IList<ApiKeyEntry> ApiKeys { get; init; } = [];

    /// <summary>Most rows one view query returns; also the default <c>limit</c>. Default 100,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxQueryRows { get; init; } = 100_000;

    /// <summary>
    /// Identical view queries share one computation (one batch merge and one ClickHouse read) while its answer is
    /// younger than this, counted from the computation's start; an older answer starts one refresh. Zero turns
    /// sharing off. Default 250 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan QueryResultRefresh { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The oldest shared answer served while its refresh runs (so clients do not wait for refreshes); beyond it,
    /// callers wait for a fresh one. At least <see cref="QueryResultRefresh"/>; at most 1 s, the freshness live views promise
    /// (docs/design-notes.md, "Shared answers"). Default 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan QueryResultMaxAge { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long refreshes of a shared answer merge only the speed flushes stored since that answer before it is merged
    /// from scratch again (batch view and all speed deltas above its watermark). A new batch publish always merges
    /// from scratch; the interval bounds how long an answer could miss speed tables rewritten underneath it (a wiped
    /// development stack). Zero: every refresh merges from scratch. Default 1 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan QueryResultRebase { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Most records one ingest request may carry. Default 10,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxIngestRecords { get; init; } = 10_000;

    /// <summary>Largest ingest request body in bytes. Default 16 MiB.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxIngestBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// How long the ingest endpoint waits for Kafka to acknowledge (acks=all) every accepted record before it
    /// gives up with 503 (librdkafka's <c>message.timeout.ms</c>). Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan IngestDeliveryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The PostgreSQL schema of Hangfire's tables, shared with the batch layer's Hangfire server. Default
    /// <c>hangfire</c> (Hangfire.PostgreSql's default).
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$")]
    public string HangfireSchema { get; init; } = "hangfire";

    /// <summary>Runs listed by <c>GET /api/admin/batch/status</c> unless its <c>limit</c> says otherwise. Default 20.</summary>
    [Range(1, 1000)]
    public int StatusRunCount { get; init; } = 20;

    /// <summary>Time allowed for each dependency in <c>/readyz</c>. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ReadinessTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The query engine's sharing settings.</summary>
    public QueryResultSharing ToQueryResultSharing() =>
        new() { Refresh = QueryResultRefresh, MaxAge = QueryResultMaxAge, Rebase = QueryResultRebase };
}
