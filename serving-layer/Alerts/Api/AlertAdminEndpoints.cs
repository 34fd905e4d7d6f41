using System.ComponentModel;
using System.Text.Json;
using Lambda.ServingLayer.Alerts.Storage;
using Lambda.ServingLayer.Endpoints;
using Lambda.ServingLayer.Ingest;
using Lambda.ServingLayer.OpenApi;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Querying;
using Lambda.ServingLayer.Requests;
using Lambda.ServingLayer.Security;
using Microsoft.AspNetCore.Mvc;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>
/// The alert rules' admin API (scope <c>admin</c>): <c>GET /api/admin/alerts</c>, <c>GET/PUT/DELETE /api/admin/alerts/{name}</c>
/// and <c>PUT/DELETE /api/admin/alerts/{name}/silence</c>. Rules from configuration cannot be written or deleted here (409).
/// </summary>
public static class AlertAdminEndpoints
{
    /// <summary>The configuration key named by a 409 on a configured rule.</summary>
    public const string RulesSetting = $"{AlertOptions.SectionName}:{nameof(AlertOptions.Rules)}";

    private const int MaxBodyBytes = 16 * 1024;
    private const int MaxReasonLength = 500;

    /// <summary>Maps the admin endpoints of the alert rules.</summary>
    public static RouteGroupBuilder MapAlertAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/alerts").WithTags("Admin").RequireAuthorization(ApiScopes.Admin);
        group.MapGet(string.Empty, ListAsync)
            .WithName("ListAlertRules")
            .WithSummary("Every alert rule's definition, source (configuration or api) and silence.");
        group.MapGet("/{name}", GetAsync)
            .WithName("GetAlertRule")
            .WithSummary("One alert rule's definition.")
            .Produces<AdminAlertRule>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{name}", PutAsync)
            .WithName("PutAlertRule")
            .WithSummary("Create (201) or replace (200) an alert rule; the leader evaluates it from its next round.")
            .WithDescription(
                "The body has the members of a configured rule in snake_case: view, measure, filter, where, window (\"00:10:00\"), condition, threshold, "
                + "and group_by (dimensions of the view: each group fires on its own). A rule from Serving:Alerts:Rules cannot be replaced (409).")
            .AddOpenApiOperationTransformer(RequestBodyDocumentation.Json<AlertRuleBody>(
                required: true, "{\"view\":\"failed_payments_by_user\",\"measure\":\"failures\",\"window\":\"00:10:00\",\"condition\":\">\",\"threshold\":5,\"group_by\":[\"user_id\"]}"))
            .Produces<AdminAlertRule>(StatusCodes.Status200OK)
            .Produces<AdminAlertRule>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapDelete("/{name}", DeleteAsync)
            .WithName("DeleteAlertRule")
            .WithSummary("Delete an API alert rule with its states and history (204).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{name}/silence", SilenceAsync)
            .WithName("SilenceAlertRule")
            .WithSummary("Silence a rule until a time: transitions are still evaluated and recorded (marked silenced), no webhook is sent.")
            .AddOpenApiOperationTransformer(RequestBodyDocumentation.Json<AlertSilenceBody>(
                required: true, "{\"until\":\"2026-11-25T18:00:00Z\",\"reason\":\"maintenance\"}"))
            .Produces<AdminAlertRule>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}/silence", LiftSilenceAsync)
            .WithName("LiftAlertSilence")
            .WithSummary("Lift a rule's silence (204).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    internal static async Task<IResult> ListAsync(IAlertRuleStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rules = await store.GetRulesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(rules.Select(r => AdminAlertRule.From(r, now)).ToArray());
    }

    internal static async Task<IResult> GetAsync(
        [Description("The alert rule's name.")] string name, IAlertRuleStore store, TimeProvider time, CancellationToken cancellationToken) =>
        await store.GetRuleAsync(name, cancellationToken).ConfigureAwait(false) is { } rule
            ? TypedResults.Ok(AdminAlertRule.From(rule, time.GetUtcNow()))
            : await AlertEndpoints.UnknownAsync(name, store, cancellationToken).ConfigureAwait(false);

    internal static async Task<IResult> PutAsync(
        [Description("The alert rule's name: 1 to 100 letters, digits, '_', '-' or '.'.")] string name,
        HttpContext context,
        IAlertRuleStore store,
        LambdaCatalog catalog,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (body, error) = await ReadAsync<AlertRuleBody>(context, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var options = body!.ToOptions(name);
        (string Member, string Text)? first = null;
        AlertRuleCompiler.TryCompile(options, catalog, (member, text) => first ??= (member, text));
        if (first is var (member, text))
        {
            var field = member == nameof(AlertRuleOptions.Name) ? "name" : JsonNamingPolicy.SnakeCaseLower.ConvertName(member);
            return ProblemResults.Parameter(field, $"'{field}'{text.TrimEnd('.')}");
        }

        var now = time.GetUtcNow();
        var outcome = await store.PutRuleAsync(options, now, cancellationToken).ConfigureAwait(false);
        if (outcome == AlertRuleWrite.Configured)
        {
            return Configured(name);
        }

        var stored = AdminAlertRule.From((await store.GetRuleAsync(name, cancellationToken).ConfigureAwait(false))!, now);
        return outcome == AlertRuleWrite.Created
            ? TypedResults.Created($"/api/admin/alerts/{Uri.EscapeDataString(name)}", stored)
            : TypedResults.Ok(stored);
    }

    internal static async Task<IResult> DeleteAsync(
        [Description("The alert rule's name.")] string name, IAlertRuleStore store, CancellationToken cancellationToken) =>
        await store.DeleteRuleAsync(name, cancellationToken).ConfigureAwait(false) switch
        {
            AlertRuleWrite.Configured => Configured(name),
            AlertRuleWrite.NotFound => await AlertEndpoints.UnknownAsync(name, store, cancellationToken).ConfigureAwait(false),
            _ => TypedResults.NoContent(),
        };

    internal static async Task<IResult> SilenceAsync(
        [Description("The alert rule's name.")] string name,
        HttpContext context,
        IAlertRuleStore store,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (body, error) = await ReadAsync<AlertSilenceBody>(context, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var now = time.GetUtcNow();
        if (body!.Until is not { } until)
        {
            return ProblemResults.Parameter("until", "'until' is required: the UTC instant the silence ends, such as 2026-11-25T18:00:00Z");
        }

        if (until <= now)
        {
            return ProblemResults.Parameter("until", $"'until' = '{until.UtcDateTime:O}' must be in the future");
        }

        if (body.Reason is { Length: > MaxReasonLength })
        {
            return ProblemResults.Parameter("reason", $"'reason' must be at most {MaxReasonLength} characters");
        }

        if (!await store.SetSilenceAsync(name, new AlertSilence(until.ToUniversalTime(), body.Reason), cancellationToken).ConfigureAwait(false))
        {
            return await AlertEndpoints.UnknownAsync(name, store, cancellationToken).ConfigureAwait(false);
        }

        return TypedResults.Ok(AdminAlertRule.From((await store.GetRuleAsync(name, cancellationToken).ConfigureAwait(false))!, now));
    }

    internal static async Task<IResult> LiftSilenceAsync(
        [Description("The alert rule's name.")] string name, IAlertRuleStore store, CancellationToken cancellationToken) =>
        await store.SetSilenceAsync(name, null, cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : await AlertEndpoints.UnknownAsync(name, store, cancellationToken).ConfigureAwait(false);

    private static IResult Configured(string name) => TypedResults.Problem(new ProblemDetails
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Configured rule",
        Detail = $"'name' = '{ViewQueryParser.Shorten(name)}' is a rule from the configuration ({RulesSetting}); change it there, not through the API",
        Extensions =
        {
            [ProblemResults.ParameterExtension] = "name",
            [ProblemResults.SettingExtension] = RulesSetting,
        },
    });

    private static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpContext context, CancellationToken cancellationToken)
        where T : class, new()
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return (null, ProblemResults.Parameter(IngestBodyReader.BodyParameter, $"the body is larger than {MaxBodyBytes} bytes", StatusCodes.Status413PayloadTooLarge));
        }

        if (!(IngestBodyReader.TryGetFormat(context.Request.ContentType, out var format, out _) && format == IngestFormat.Json))
        {
            return (null, ProblemResults.Parameter(
                IngestBodyReader.ContentTypeParameter,
                $"Content-Type '{ViewQueryParser.Shorten(context.Request.ContentType)}' is not supported; send application/json",
                StatusCodes.Status415UnsupportedMediaType));
        }

        if (body.WrittenCount == 0 || body.WrittenSpan.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (null, ProblemResults.Parameter(IngestBodyReader.BodyParameter, "the body must be a JSON object"));
        }

        return JsonBodyBinder.TryBind(body.WrittenSpan, new T(), out var value, out var error)
            ? (value, null)
            : (null, ProblemResults.Parameter(error));
    }
}
