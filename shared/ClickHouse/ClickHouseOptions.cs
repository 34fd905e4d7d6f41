namespace Lambda.Shared.ClickHouse;

/// <summary>
/// Where and how to reach ClickHouse over its HTTP interface. Bound from the <c>ClickHouse</c>
/// configuration section (<c>ClickHouse:Url</c>, <c>ClickHouse:User</c>, ...); validated on start by
/// <see cref="ClickHouseOptionsValidator"/>.
/// </summary>
public sealed class ClickHouseOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ClickHouse";

    /// <summary>Base URL of the HTTP interface. Default <c>http://127.0.0.1:18123</c> (the local stack).</summary>
    public Uri Url { get; init; } = new("http://127.0.0.1:18123");

    /// <summary>ClickHouse user, sent in the <c>X-ClickHouse-User</c> header. Default <c>default</c>.</summary>
    public string User { get; init; } = "default";

    /// <summary>Password, sent in the <c>X-ClickHouse-Key</c> header (never in the URL). Default empty.</summary>
    public string Password { get; init; } = "";

    /// <summary>Database every call runs in unless a call names another. Default <c>lambda</c>.</summary>
    public string Database { get; init; } = "lambda";

    /// <summary>
    /// Time allowed for one attempt of a call: for commands, inserts and buffered queries the whole
    /// exchange, for streamed queries until the response headers arrive. Default 60 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed to open a TCP connection. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an idle pooled connection is kept. Must stay below the server's
    /// <c>keep_alive_timeout</c> (3 s by default) so that a request is never sent on a connection
    /// the server is closing. Default 2 s.
    /// </summary>
    public TimeSpan PooledConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Retries of an idempotent call after a transient failure (0 disables retries). Reads are
    /// idempotent; commands and inserts only when the caller says so. Default 3.
    /// </summary>
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>Delay before the first retry; later retries back off exponentially with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of a single retry delay. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Send insert bodies gzip-compressed (<c>Content-Encoding: gzip</c>). Default false (loopback gains nothing).</summary>
    public bool CompressInserts { get; init; }
}
