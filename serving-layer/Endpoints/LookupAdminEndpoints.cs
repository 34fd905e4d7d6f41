using System.ComponentModel;
using System.Globalization;
using Lambda.ServingLayer.Problems;
using Lambda.ServingLayer.Security;
using Lambda.Shared.Lookups;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Endpoints;

/// <summary>
/// Reference data (scope <c>admin</c>): <c>PUT /api/admin/lookups/{name}</c> publishes a new version from CSV
/// (<c>Content-Type: text/csv</c>, a header line of column names) or a JSON array of row objects; <c>GET</c> answers the
/// current version with its rows. A refused publish (unknown lookup, missing key column, bad CSV or JSON, a cell of the
/// wrong type) is a problem naming the field, and nothing stored changes.
/// </summary>
public static class LookupAdminEndpoints
{
    /// <summary>The largest body accepted (bytes).</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>Maps the lookup endpoints.</summary>
    public static RouteGroupBuilder MapLookupAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/lookups").WithTags("Admin").RequireAuthorization(ApiScopes.Admin);
        group.MapPut("/{name}", PutAsync)
            .WithName("PublishLookup")
            .WithSummary("Publish a new version of a lookup (its complete rows) from CSV or JSON; the speed layer joins it within seconds.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/{name}", GetAsync)
            .WithName("GetLookup")
            .WithSummary("The current version of a lookup and its rows.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    internal static async Task<IResult> PutAsync(
        [Description("The lookup's name (catalog lookups:).")] string name,
        HttpContext context,
        LambdaCatalog catalog,
        ILookupPublisher publisher,
        CancellationToken cancellationToken)
    {
        if (!catalog.TryGetLookup(name, out var lookup))
        {
            return Unknown(name, catalog);
        }

        var mediaType = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("text/csv" or "application/json"))
        {
            return ProblemResults.Parameter("Content-Type", $"'Content-Type' must be text/csv or application/json, not '{mediaType ?? "(none)"}'",
                StatusCodes.Status415UnsupportedMediaType);
        }

        var body = await RequestBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return ProblemResults.Parameter("body", $"the body is larger than {MaxBodyBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        try
        {
            var rows = mediaType == "text/csv"
                ? LookupRowsReader.FromCsv(lookup, System.Text.Encoding.UTF8.GetString(body.WrittenSpan))
                : LookupRowsReader.FromJson(lookup, body.WrittenSpan);
            var table = await publisher.PublishAsync(lookup, rows, cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(new LookupPublished(lookup.Name, table.Version, table.PublishedAt, table.Rows.Count));
        }
        catch (LookupPublishException ex)
        {
            // The message names the column; a problem with the document as a whole says it is the body's.
            return ProblemResults.Parameter(ex.Field, ex.Field == "body" && !ex.Message.Contains("body", StringComparison.Ordinal) ? $"body: {ex.Message}" : ex.Message);
        }
    }

    internal static async Task<IResult> GetAsync(
        [Description("The lookup's name.")] string name, LambdaCatalog catalog, ILookupReader reader, CancellationToken cancellationToken)
    {
        if (!catalog.TryGetLookup(name, out var lookup))
        {
            return Unknown(name, catalog);
        }

        var version = await reader.CurrentVersionAsync(name, cancellationToken).ConfigureAwait(false);
        var table = version is null ? null : await reader.ReadVersionAsync(lookup, version.Value, cancellationToken).ConfigureAwait(false);
        if (table is null)
        {
            return ProblemResults.Parameter("name", $"name: lookup '{name}' has not been published yet", StatusCodes.Status404NotFound);
        }

        var rows = table.Rows.Select(r =>
        {
            var row = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            for (var k = 0; k < lookup.Keys.Count; k++)
            {
                row[lookup.Keys[k].Name] = r.Keys[k].ToObject();
            }

            if (r.ValidFromMilliseconds is { } from)
            {
                row[LookupDefinition.ValidFromColumn] = LookupValidFrom.Format(from, lookup.Versioning);
            }

            for (var v = 0; v < lookup.Values.Count; v++)
            {
                row[lookup.Values[v].Name] = r.Values[v].IsNull ? null : r.Values[v].ToObject();
            }

            return row;
        }).ToArray();
        return TypedResults.Ok(new LookupContent(lookup.Name, table.Version, table.PublishedAt, lookup.ColumnNames.ToArray(), rows));
    }

    private static IResult Unknown(string name, LambdaCatalog catalog) =>
        ProblemResults.Parameter("name", string.Create(CultureInfo.InvariantCulture,
            $"name '{name}' is not a lookup of the catalog; lookups: {(catalog.Lookups.Count == 0 ? "(none)" : string.Join(", ", catalog.Lookups.Select(l => l.Name)))}"),
            StatusCodes.Status404NotFound);
}
