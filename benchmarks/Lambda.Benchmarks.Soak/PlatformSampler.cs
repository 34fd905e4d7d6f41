using System.Globalization;
using Lambda.Testing;

namespace Lambda.Benchmarks.Soak;

/// <summary>
/// Reads the RSS of each service from <c>/proc/&lt;pid&gt;/status</c> (PIDs from the stack's pid files) and the lags and
/// file counts from the speed and batch layers' <c>/metrics</c> (README, "Metrics and traces").
/// </summary>
internal sealed class PlatformSampler(HttpClient http, SoakEndpoints endpoints, TextWriter log)
{
    private const string Source = "orders";

    public async Task<PlatformSample> SampleAsync(CancellationToken cancellationToken)
    {
        var rss = SoakEndpoints.Services.ToDictionary(s => s, ReadRssMiB, StringComparer.Ordinal);
        var speed = await ScrapeAsync(endpoints.SpeedMetrics, cancellationToken).ConfigureAwait(false);
        var batch = await ScrapeAsync(endpoints.BatchMetrics, cancellationToken).ConfigureAwait(false);
        return new PlatformSample(
            rss,
            speed is null ? null : PrometheusText.Sum(speed, "lambda_speed_consumer_lag", $"topic=\"{Source}\""),
            batch is null ? null : PrometheusText.Sum(batch, "lambda_archiver_lag", $"source=\"{Source}\""),
            batch is null ? null : Present(batch, "lambda_batch_dataset_files"),
            batch is null ? null : Present(batch, "lambda_archiver_files_total"),
            batch is null ? null : Present(batch, "lambda_archiver_flush_duration_seconds_count"));
    }

    private static double? Present(string scrape, string name) =>
        PrometheusText.Samples(scrape, name, $"source=\"{Source}\"") is { Count: > 0 } samples ? samples.Sum(s => s.Value) : null;

    private long? ReadRssMiB(string service)
    {
        try
        {
            var pid = int.Parse(File.ReadAllText(endpoints.PidFile(service)).Trim(), CultureInfo.InvariantCulture);
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            // "VmRSS:	  123456 kB"
            return line is null ? null : long.Parse(line.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            log.WriteLine($"RSS of {service} not read: {ex.Message}");
            return null;
        }
    }

    private async Task<string?> ScrapeAsync(Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (endpoints.MetricsKey is { } key)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                await log.WriteLineAsync($"{url} answered {(int)response.StatusCode}").ConfigureAwait(false);
                return null;
            }

            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            await log.WriteLineAsync($"{url} not scraped: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
