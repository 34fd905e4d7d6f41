using System.Net;
using System.Net.Http.Json;

namespace Lambda.Testing;

/// <summary>
/// Creates and deletes topics on the development broker through its control API (the mock cluster
/// rejects Kafka's own CreateTopics request). The URL comes from <see cref="StackEndpoints.KafkaAdminUrl"/>.
/// </summary>
public static class DevBrokerAdmin
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Creates the topic, or finds it with the same partition count (idempotent).</summary>
    /// <exception cref="InvalidOperationException">The topic exists with another partition count, or the request was refused.</exception>
    public static async Task<DevBrokerTopic> CreateTopicAsync(string name, int partitions, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);

        using var response = await Http.PostAsJsonAsync(
            new Uri(BaseUrl(), "topics"), new { name, partitions }, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"create topic '{name}' with {partitions} partitions", cancellationToken).ConfigureAwait(false);
        return await ReadTopicAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a topic with a fresh name (<paramref name="prefix"/> plus a random suffix), so tests never share one.</summary>
    public static Task<DevBrokerTopic> CreateUniqueTopicAsync(string prefix, int partitions, CancellationToken cancellationToken) =>
        CreateTopicAsync($"{prefix}-{Guid.NewGuid():N}", partitions, cancellationToken);

    /// <summary>Every topic the broker knows.</summary>
    public static async Task<IReadOnlyList<DevBrokerTopic>> ListTopicsAsync(CancellationToken cancellationToken) =>
        await Http.GetFromJsonAsync<List<DevBrokerTopic>>(new Uri(BaseUrl(), "topics"), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The dev broker answered GET /topics with no body.");

    /// <summary>Deletes the topic and its data; false when it did not exist. Frees the broker's memory after a test.</summary>
    public static async Task<bool> DeleteTopicAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using var response = await Http.DeleteAsync(new Uri(BaseUrl(), $"topics/{Uri.EscapeDataString(name)}"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, $"delete topic '{name}'", cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static Uri BaseUrl()
    {
        var url = StackEndpoints.Load().KafkaAdminUrl ?? throw new InvalidOperationException(
            "LAMBDA_KAFKA_ADMIN_URL is not set: topics with exact partition counts are created through the development broker ('scripts/lambda up').");
        return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"Dev broker refused to {action}: {(int)response.StatusCode} {body}");
        }
    }

    private static async Task<DevBrokerTopic> ReadTopicAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<DevBrokerTopic>(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The dev broker answered with no topic.");
}
