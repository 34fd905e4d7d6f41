using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;

namespace Lambda.Shared.ClickHouse;

/// <summary>
/// <see cref="IClickHouseClient"/> over plain HTTP. Hand-written because ClickHouse.Driver needs
/// a recent server (it sends settings 18.16 does not know and reads formats 18.16 cannot write);
/// the HTTP interface itself is the same from 18.16 to today. Thread-safe; one instance can serve
/// concurrent calls.
/// </summary>
public sealed partial class ClickHouseClient : IClickHouseClient
{
    /// <summary>Name of the HttpClient registered by <see cref="ClickHouseServiceCollectionExtensions.AddLambdaClickHouse"/>.</summary>
    public const string HttpClientName = "Lambda.ClickHouse";

    private const string ResultFormat = "TabSeparatedWithNamesAndTypes";

    private static readonly HashSet<string> ReservedParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "query", "database", "default_format", "session_id", "session_timeout", "session_check",
        "query_id", "user", "password", "quota_key",
    };

    // The server's time zone, by server URL. Kept process-wide because typed HttpClient clients are
    // created per scope; the zone only matters for DateTime columns declared without one.
    private static readonly ConcurrentDictionary<string, string> ServerTimeZones = new(StringComparer.Ordinal);

    private readonly HttpClient _http;
    private readonly ClickHouseOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly string _endpoint;

    /// <summary>Creates the client (used by dependency injection as a typed HttpClient).</summary>
    [ActivatorUtilitiesConstructor]
    public ClickHouseClient(HttpClient httpClient, IOptions<ClickHouseOptions> options, ILogger<ClickHouseClient> logger)
        : this(httpClient, (options ?? throw new ArgumentNullException(nameof(options))).Value, logger)
    {
    }

    /// <summary>Creates the client over an HttpClient of your own; <paramref name="options"/> are validated here.</summary>
    public ClickHouseClient(HttpClient httpClient, ClickHouseOptions options, ILogger<ClickHouseClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var validation = new ClickHouseOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(ClickHouseOptions.SectionName, typeof(ClickHouseOptions), validation.Failures);
        }

        _http = httpClient;
        _options = options;
        _logger = logger ?? NullLogger<ClickHouseClient>.Instance;
        _endpoint = options.Url.GetLeftPart(UriPartial.Path);
        _retry = ClickHouseRetry.CreatePipeline(options, _logger);
    }

    /// <inheritdoc />
    public string Database => _options.Database;

    /// <inheritdoc />
    public Task ExecuteAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ValidateCallOptions(options);
        return RunAsync(
            "execute", sql, options?.Idempotent ?? false, options,
            async token =>
            {
                using var request = CreateRequest(sql, urlQuery: null, options, useDatabase: true, defaultFormat: null);
                using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                await EnsureSuccessAsync(response, token).ConfigureAwait(false);
                await DrainAsync(response, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<ClickHouseReader> OpenReaderAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ValidateCallOptions(options);
        return RunAsync("query", sql, options?.Idempotent ?? true, options, token => OpenAsync(sql, options, token), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ClickHouseRow>> QueryRowsAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ValidateCallOptions(options);
        return RunAsync<IReadOnlyList<ClickHouseRow>>(
            "query", sql, options?.Idempotent ?? true, options,
            async token =>
            {
                await using var reader = await OpenAsync(sql, options, token).ConfigureAwait(false);
                var rows = new List<ClickHouseRow>();
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    rows.Add(reader.Current);
                }

                return rows;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task InsertAsync(
        string table,
        IReadOnlyList<string> columns,
        Func<RowBinaryWriter, CancellationToken, ValueTask> writeRows,
        ClickHouseCallOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(writeRows);
        ValidateCallOptions(options);
        var columnList = new StringBuilder();
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.IsNullOrEmpty(columns[i]))
            {
                throw new ArgumentException($"Column name {i} is empty.", nameof(columns));
            }

            columnList.Append(i == 0 ? " (" : ", ").Append(ClickHouseSql.QuoteIdentifier(columns[i]));
        }

        if (columns.Count > 0)
        {
            columnList.Append(')');
        }

        var sql = $"INSERT INTO {ClickHouseSql.QuoteIdentifier(table)}{columnList} FORMAT RowBinary";
        var compress = options?.Compress ?? _options.CompressInserts;
        return RunAsync(
            "insert", sql, options?.Idempotent ?? false, options,
            async token =>
            {
                using var content = new RowBinaryContent(writeRows, compress);
                using var request = CreateRequest(body: null, urlQuery: sql, options, useDatabase: true, defaultFormat: null);
                request.Content = content;
                try
                {
                    using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                    await EnsureSuccessAsync(response, token).ConfigureAwait(false);
                    await DrainAsync(response, token).ConfigureAwait(false);
                }
                catch (Exception) when (content.WriterException is not null)
                {
                    // The caller's own failure (bad value, cancellation): not a ClickHouse error.
                    ExceptionDispatchInfo.Throw(content.WriterException);
                }

                LogInserted(_logger, table, content.BytesWritten);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var sql = "CREATE DATABASE IF NOT EXISTS " + ClickHouseSql.QuoteIdentifier(_options.Database);
        return RunAsync(
            "execute", sql, idempotent: true, options: null,
            async token =>
            {
                // Not in the database: it may not exist yet.
                using var request = CreateRequest(sql, urlQuery: null, options: null, useDatabase: false, defaultFormat: null);
                using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                await EnsureSuccessAsync(response, token).ConfigureAwait(false);
                await DrainAsync(response, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    private async Task<ClickHouseReader> OpenAsync(string sql, ClickHouseCallOptions? options, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(sql, urlQuery: null, options, useDatabase: true, defaultFormat: ResultFormat);
        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            var headerZone = response.Headers.TryGetValues("X-ClickHouse-Timezone", out var zones) ? zones.FirstOrDefault() : null;
            return await ClickHouseReader.OpenAsync(
                response,
                token => headerZone is { Length: > 0 } ? ValueTask.FromResult<string?>(headerZone) : GetServerTimeZoneAsync(token),
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async ValueTask<string?> GetServerTimeZoneAsync(CancellationToken cancellationToken)
    {
        if (ServerTimeZones.TryGetValue(_endpoint, out var cached))
        {
            return cached;
        }

        using var request = CreateRequest("SELECT timezone()", urlQuery: null, options: null, useDatabase: false, defaultFormat: "TabSeparated");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var zone = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
        ServerTimeZones[_endpoint] = zone;
        return zone;
    }

    private async Task<T> RunAsync<T>(
        string operation, string sql, bool idempotent, ClickHouseCallOptions? options,
        Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var pipeline = idempotent ? _retry : ResiliencePipeline.Empty;
        var timeout = options?.Timeout ?? _options.RequestTimeout;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await pipeline.ExecuteAsync(
                async token => await AttemptAsync(attempt, timeout, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            LogCompleted(_logger, operation, Stopwatch.GetElapsedTime(started).TotalMilliseconds, Abbreviate(sql));
            return result;
        }
        catch (ClickHouseException ex)
        {
            LogFailed(_logger, ex, operation, ex.Kind, ex.ErrorCode, ex.IsTransient, Abbreviate(sql));
            throw;
        }
    }

    private static async ValueTask<T> AttemptAsync<T>(Func<CancellationToken, Task<T>> attempt, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            return await attempt(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClickHouseException(
                ClickHouseFailureKind.Timeout, $"ClickHouse did not answer within {timeout.TotalSeconds:0.###} s.", innerException: ex);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ClickHouseException(
                ClickHouseFailureKind.Network,
                $"Could not reach ClickHouse at {_endpoint}: {ex.Message}",
                statusCode: ex.StatusCode,
                innerException: ex);
        }
        catch (IOException ex)
        {
            throw new ClickHouseException(
                ClickHouseFailureKind.Network, $"The connection to ClickHouse at {_endpoint} failed: {ex.Message}", innerException: ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            body = $"(the error body could not be read: {ex.Message})";
        }

        var headerCode = response.Headers.TryGetValues("X-ClickHouse-Exception-Code", out var codes) ? codes.FirstOrDefault() : null;
        throw ClickHouseErrorParser.FromResponse(response.StatusCode, body, headerCode);
    }

    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            // A statement's output is small; an error after the output began is appended to it.
            if (ClickHouseErrorParser.StartsWithException(Encoding.UTF8.GetBytes(LastLine(body))))
            {
                throw ClickHouseErrorParser.FromStreamedError(LastLine(body));
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new ClickHouseException(
                ClickHouseFailureKind.Network, $"The connection failed while reading the answer: {ex.Message}", innerException: ex);
        }
    }

    private static string LastLine(string body)
    {
        var trimmed = body.TrimEnd('\n', '\r');
        var newline = trimmed.LastIndexOf('\n');
        return newline < 0 ? trimmed : trimmed[(newline + 1)..];
    }

    private HttpRequestMessage CreateRequest(
        string? body, string? urlQuery, ClickHouseCallOptions? options, bool useDatabase, string? defaultFormat)
    {
        var parameters = new StringBuilder();
        void Add(string name, string value)
        {
            parameters.Append(parameters.Length == 0 ? '?' : '&')
                .Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        if (useDatabase)
        {
            Add("database", options?.Database ?? _options.Database);
        }

        if (urlQuery is not null)
        {
            Add("query", urlQuery);
        }

        if (defaultFormat is not null)
        {
            Add("default_format", defaultFormat);
        }

        if (options?.SessionId is { } sessionId)
        {
            Add("session_id", sessionId);
            if (options.SessionTimeout is { } sessionTimeout)
            {
                Add("session_timeout", ((long)Math.Ceiling(sessionTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
            }
        }

        if (options?.QueryId is { } queryId)
        {
            Add("query_id", queryId);
        }

        if (options?.Settings is { } settings)
        {
            foreach (var (name, value) in settings)
            {
                Add(name, value);
            }
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint + parameters);
        request.Headers.TryAddWithoutValidation("X-ClickHouse-User", _options.User);
        if (_options.Password.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("X-ClickHouse-Key", _options.Password);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("text/plain"));
        }

        return request;
    }

    private static void ValidateCallOptions(ClickHouseCallOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.Database is { } database && string.IsNullOrWhiteSpace(database))
        {
            throw new ArgumentException("ClickHouseCallOptions.Database must not be blank (leave it null for the default).", nameof(options));
        }

        if (options.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ClickHouseCallOptions.Timeout must be positive (got {timeout}).", nameof(options));
        }

        if (options.SessionTimeout is { } sessionTimeout && sessionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ClickHouseCallOptions.SessionTimeout must be positive (got {sessionTimeout}).", nameof(options));
        }

        if (options.SessionId is { } sessionId && string.IsNullOrWhiteSpace(sessionId))
        {
            throw new ArgumentException("ClickHouseCallOptions.SessionId must not be blank (leave it null for no session).", nameof(options));
        }

        foreach (var name in options.Settings?.Keys ?? Enumerable.Empty<string>())
        {
            if (string.IsNullOrWhiteSpace(name) || ReservedParameters.Contains(name))
            {
                throw new ArgumentException(
                    $"ClickHouseCallOptions.Settings cannot contain '{name}': it is not a setting, or the client sets it itself.", nameof(options));
            }
        }
    }

    private static string Abbreviate(string sql) => sql.Length <= 200 ? sql : sql[..200] + "…";

    [LoggerMessage(Level = LogLevel.Debug, Message = "ClickHouse {Operation} done in {ElapsedMs:0.0} ms: {Sql}")]
    private static partial void LogCompleted(ILogger logger, string operation, double elapsedMs, string sql);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "ClickHouse {Operation} failed ({Kind}, code {ErrorCode}, transient {IsTransient}): {Sql}")]
    private static partial void LogFailed(
        ILogger logger, Exception exception, string operation, ClickHouseFailureKind kind, int? errorCode, bool isTransient, string sql);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Inserted into {Table}: {Bytes} RowBinary bytes")]
    private static partial void LogInserted(ILogger logger, string table, long bytes);
}
