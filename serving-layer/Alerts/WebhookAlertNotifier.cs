using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// POSTs each <see cref="AlertNotification"/> as JSON (snake_case) to <see cref="AlertOptions.WebhookUrl"/>, within
/// <see cref="AlertOptions.WebhookTimeout"/>; a non-2xx answer or a timeout is an exception. Does nothing without a URL.
/// One call, no retry: <see cref="Delivery.AlertDeliveryService"/> retries, in order, with the same <c>id</c>.
/// </summary>
public sealed class WebhookAlertNotifier(IHttpClientFactory clients, IOptions<AlertOptions> options) : IAlertNotifier
{
    /// <summary>The name of the <see cref="HttpClient"/> it uses (configured with the timeout).</summary>
    public const string HttpClientName = "alert-webhook";

    /// <summary>How the body is written.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new Json.UtcInstantJsonConverter() },
    };

    /// <inheritdoc/>
    public async Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var url = options.Value.WebhookUrl;
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        var client = clients.CreateClient(HttpClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        try
        {
            using var response = await client.PostAsJsonAsync(new Uri(url, UriKind.Absolute), notification, JsonOptions, timeout.Token).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the webhook {url} did not answer within {options.Value.WebhookTimeout}", e);
        }
    }
}
