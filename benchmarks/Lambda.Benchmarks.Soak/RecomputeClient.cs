using System.Text.Json;

namespace Lambda.Benchmarks.Soak;

/// <summary>Triggers recomputes through the admin API and waits for a run to finish (<c>GET /api/admin/batch/status</c>).</summary>
internal sealed class RecomputeClient(HttpClient http, SoakEndpoints endpoints, TextWriter log)
{
    private static readonly string[] Finished = ["succeeded", "nothing_to_do", "failed", "cancelled"];

    /// <summary>Enqueues an incremental recompute; false (logged) when the API refused.</summary>
    public async Task<bool> TriggerAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoints.Serving, "api/admin/batch/recompute"));
        request.Headers.Add("X-Api-Key", endpoints.AdminKey);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            await log.WriteLineAsync($"recompute refused with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}").ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            await log.WriteLineAsync($"recompute not triggered: {ex.Message}").ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Waits until a run started at or after <paramref name="since"/> has finished; its state, or null at the timeout.</summary>
    public async Task<string?> WaitForRunAsync(DateTimeOffset since, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoints.Serving, "api/admin/batch/status"));
            request.Headers.Add("X-Api-Key", endpoints.AdminKey);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                var run = status.RootElement.GetProperty("runs").EnumerateArray()
                    .Where(r => r.GetProperty("started_at").GetDateTimeOffset() >= since.AddSeconds(-1))
                    .Select(r => r.GetProperty("state").GetString())
                    .FirstOrDefault(s => Finished.Contains(s));
                if (run is not null)
                {
                    return run;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }

        return null;
    }
}
