using System.ComponentModel;
using Lambda.ServingLayer.Admin;
using Lambda.ServingLayer.Endpoints;
using Lambda.ServingLayer.OpenApi;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Requests;
using Lambda.ServingLayer.Security;
using Lambda.Shared.AdHoc;
using Lambda.Shared.BatchViews;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.AdHocJobs;

/// <summary>
/// Ad hoc jobs (scope <c>admin</c>): <c>POST /api/admin/jobs</c> submits one (a row in <c>adhoc_jobs</c>, then a Hangfire
/// job on the batch queue through <see cref="IBatchJobScheduler"/>), <c>GET /api/admin/jobs/{id}</c> tells its state,
/// <c>GET /api/admin/jobs/{id}/result</c> downloads its result from the dataset root, <c>POST /api/admin/jobs/{id}/cancel</c>
/// cancels it. The SQL is judged by the batch worker (one read-only SELECT); a refusal shows as the job's error.
/// </summary>
public static partial class AdHocJobEndpoints
{
    /// <summary>The route prefix.</summary>
    public const string Prefix = "/api/admin/jobs";

    /// <summary>Longest SQL accepted, in characters.</summary>
    public const int MaxSqlLength = 64 * 1024;

    private const int MaxBodyBytes = 4 * MaxSqlLength;

    private const string JobIdDescription = "The job id (a GUID) that POST /api/admin/jobs answered.";

    /// <summary>The URL of job <paramref name="id"/>.</summary>
    public static string JobPath(Guid id) => $"{Prefix}/{id:D}";

    /// <summary>The URL of job <paramref name="id"/>'s result.</summary>
    public static string ResultPath(Guid id) => $"{JobPath(id)}/result";

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapAdHocJobEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(Prefix).WithTags("Ad hoc jobs").RequireAuthorization(ApiScopes.Admin);
        group.MapPost("", SubmitAsync)
            .WithName("SubmitAdHocJob")
            .WithSummary("Submit an ad hoc job: one SELECT over master_<source> and batch_<view>, run by a batch worker (Hangfire, queue 'batch').")
            .WithDescription("Answers 202 with the job and its URL in Location. The result is written as Parquet or CSV; the SQL must be exactly one read-only SELECT.")
            .AddOpenApiOperationTransformer(RequestBodyDocumentation.Json<AdHocJobArguments>(
                required: true, "{\"sql\":\"SELECT country, count(*) FROM master_orders GROUP BY country\",\"format\":\"parquet\"}"))
            .Produces<AdHocJobDescription>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id}", GetAsync)
            .WithName("GetAdHocJob")
            .WithSummary("An ad hoc job's state, progress, error and result size.")
            .Produces<AdHocJobDescription>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/result", ResultAsync)
            .WithName("GetAdHocJobResult")
            .WithSummary("Download a succeeded job's result (Parquet or CSV).")
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.apache.parquet")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/cancel", CancelAsync)
            .WithName("CancelAdHocJob")
            .WithSummary("Cancel a queued or running job; a running query is interrupted within the workers' poll interval.")
            .Produces<AdHocJobDescription>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    internal static async Task<IResult> SubmitAsync(
        HttpContext context,
        IAdHocJobRequests jobs,
        IBatchJobScheduler scheduler,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return ProblemResults.Parameter(Ingest.IngestBodyReader.BodyParameter, $"the body is larger than {MaxBodyBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        if (body.WrittenCount > 0 && !AdminEndpoints.IsJson(context.Request.ContentType))
        {
            return ProblemResults.Parameter(
                Ingest.IngestBodyReader.ContentTypeParameter,
                $"Content-Type '{ViewQueryParser.Shorten(context.Request.ContentType)}' is not supported; send application/json",
                StatusCodes.Status415UnsupportedMediaType);
        }

        if (!JsonBodyBinder.TryBind(body.WrittenSpan, new AdHocJobArguments(), out var arguments, out var bindError))
        {
            return ProblemResults.Parameter(bindError);
        }

        if (string.IsNullOrWhiteSpace(arguments.Sql))
        {
            return ProblemResults.Parameter("sql", "'sql' is required: one SELECT over master_<source> and batch_<view>");
        }

        if (arguments.Sql.Length > MaxSqlLength)
        {
            return ProblemResults.Parameter("sql", $"'sql' is {arguments.Sql.Length} characters long; at most {MaxSqlLength} are accepted");
        }

        AdHocJobFormat? format = AdHocJobFormat.Parquet;
        if (arguments.Format is not null && !AdHocJobFormatNames.TryParse(arguments.Format, out format))
        {
            return ProblemResults.Parameter(
                "format", $"'format' = '{ViewQueryParser.Shorten(arguments.Format)}' must be one of {string.Join(", ", AdHocJobFormatNames.All)}");
        }

        var job = await jobs.SubmitAsync(Guid.NewGuid(), arguments.Sql, format.Value, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        try
        {
            var hangfireJobId = await scheduler.EnqueueAdHocJobAsync(job.Id, cancellationToken).ConfigureAwait(false);
            await jobs.SetHangfireJobAsync(job.Id, hangfireJobId, cancellationToken).ConfigureAwait(false);
            LogSubmitted(loggers.CreateLogger(typeof(AdHocJobEndpoints)), job.Id, hangfireJobId, job.Format.ToName());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The row would wait for a worker that never comes; say so in it, and let the exception handler answer 503/500.
            await jobs.AbandonAsync(job.Id, "the job could not be enqueued", time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return TypedResults.Accepted(JobPath(job.Id), AdHocJobDescription.From(job));
    }

    internal static async Task<IResult> GetAsync([Description(JobIdDescription)] string id, IAdHocJobRequests jobs, CancellationToken cancellationToken)
    {
        var job = await FindAsync(id, jobs, cancellationToken).ConfigureAwait(false);
        return job is null ? NotFound(id) : TypedResults.Ok(AdHocJobDescription.From(job));
    }

    internal static async Task<IResult> ResultAsync([Description(JobIdDescription)] string id, IAdHocJobRequests jobs, IOptions<BatchStorageOptions> storage, CancellationToken cancellationToken)
    {
        var job = await FindAsync(id, jobs, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return NotFound(id);
        }

        if (job.State != AdHocJobState.Succeeded || job.ResultPath is null)
        {
            return ProblemResults.Parameter(
                "id", $"job id '{job.Id:D}' is {job.State.ToName()}: only a succeeded job has a result", StatusCodes.Status409Conflict);
        }

        var path = AdHocJobLayout.Resolve(storage.Value.ResolveRoot(), job.ResultPath);
        if (!File.Exists(path))
        {
            return ProblemResults.Parameter("id", $"the result of job id '{job.Id:D}' is no longer in the storage", StatusCodes.Status404NotFound);
        }

        return TypedResults.PhysicalFile(path, job.Format.MediaType(), $"{job.Id:D}.{job.Format.ToName()}", enableRangeProcessing: true);
    }

    internal static async Task<IResult> CancelAsync([Description(JobIdDescription)] string id, IAdHocJobRequests jobs, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            return NotFound(id);
        }

        var job = await jobs.CancelAsync(guid, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return NotFound(id);
        }

        return job.State == AdHocJobState.Cancelled
            ? TypedResults.Accepted(JobPath(job.Id), AdHocJobDescription.From(job))
            : ProblemResults.Parameter("id", $"job id '{job.Id:D}' is already {job.State.ToName()}: only a queued or running job can be cancelled", StatusCodes.Status409Conflict);
    }

    private static async Task<AdHocJob?> FindAsync(string id, IAdHocJobRequests jobs, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var guid) ? await jobs.GetAsync(guid, cancellationToken).ConfigureAwait(false) : null;

    private static IResult NotFound(string id) =>
        ProblemResults.Parameter("id", $"there is no ad hoc job with id '{ViewQueryParser.Shorten(id)}'", StatusCodes.Status404NotFound);

    [LoggerMessage(Level = LogLevel.Information, Message = "Submitted ad hoc job {JobId} as Hangfire job {HangfireJobId} ({Format})")]
    private static partial void LogSubmitted(ILogger logger, Guid jobId, string hangfireJobId, string format);
}
