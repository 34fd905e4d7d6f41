using Lambda.DevBroker.Native;
using Lambda.DevBroker.Topics;

namespace Lambda.DevBroker.Hosting;

/// <summary>
/// The HTTP control API (loopback only): the mock cluster rejects Kafka's CreateTopics request, so
/// tests and scripts create topics with exact partition counts here.
/// </summary>
internal static class ControlApi
{
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", (MockKafkaCluster cluster) =>
            Results.Ok(new { status = "ok", bootstrapServers = cluster.BootstrapServers }));

        endpoints.MapGet("/topics", (TopicManager topics) => Results.Ok(topics.List()));

        endpoints.MapGet("/topics/{name}", (string name, TopicManager topics) =>
            topics.List().FirstOrDefault(t => t.Name == name) is { } topic
                ? Results.Ok(topic)
                : Results.Problem($"Topic '{name}' does not exist.", statusCode: StatusCodes.Status404NotFound));

        endpoints.MapPost("/topics", (TopicSpec? spec, TopicManager topics) =>
        {
            if (spec is null)
            {
                return Results.Problem("Send a JSON body like {\"name\":\"orders\",\"partitions\":32}.", statusCode: StatusCodes.Status400BadRequest);
            }

            var errors = TopicRules.Validate(spec.Name, spec.Partitions);
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            var result = topics.Ensure(spec.Name!, spec.Partitions!.Value);
            return result.Outcome switch
            {
                TopicOutcome.Created => Results.Created($"/topics/{result.Topic.Name}", result.Topic),
                TopicOutcome.Exists => Results.Ok(result.Topic),
                _ => Results.Problem(
                    $"Topic '{result.Topic.Name}' exists with {result.Topic.Partitions} partitions; {spec.Partitions} were requested. Delete it first or pick another name.",
                    statusCode: StatusCodes.Status409Conflict),
            };
        });

        endpoints.MapDelete("/topics/{name}", (string name, TopicManager topics) =>
            topics.Delete(name)
                ? Results.NoContent()
                : Results.Problem($"Topic '{name}' does not exist.", statusCode: StatusCodes.Status404NotFound));

        return endpoints;
    }
}
