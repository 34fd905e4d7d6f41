using System.Net.Http.Headers;
using System.Text;
using Lambda.DemoGenerator.Generators;
using Microsoft.Extensions.Options;

namespace Lambda.DemoGenerator;

/// <summary>
/// Publishes the demo's reference data through the serving layer's admin endpoint (<c>PUT /api/admin/lookups/{name}</c>):
/// <c>countries</c> and <c>fx_rates</c> at start (retried until the serving layer answers), then one changed fx rate
/// every <see cref="DemoGeneratorOptions.FxRateChangeInterval"/>.
/// </summary>
public sealed partial class DemoLookupPublisher(IOptions<DemoGeneratorOptions> options, ILogger<DemoLookupPublisher> logger, TimeProvider time)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.ServingUrl))
        {
            return;
        }

        using var http = new HttpClient { BaseAddress = new Uri(settings.ServingUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", settings.AdminKey);
        var data = new DemoReferenceData(settings.Seed is { } seed ? new Random(seed + 1) : new Random());
        await PublishUntilAcceptedAsync(http, "countries", DemoReferenceData.CountriesCsv(), stoppingToken).ConfigureAwait(false);
        await PublishUntilAcceptedAsync(http, "fx_rates", data.FxRatesCsv(), stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(settings.FxRateChangeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var currency = data.ChangeOneRate(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
            LogRateChanged(logger, currency);
            await PublishUntilAcceptedAsync(http, "fx_rates", data.FxRatesCsv(), stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task PublishUntilAcceptedAsync(HttpClient http, string lookup, string csv, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var content = new StringContent(csv, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                using var response = await http.PutAsync($"/api/admin/lookups/{lookup}", content, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    LogPublished(logger, lookup);
                    return;
                }

                // A refusal (4xx) will not pass by retrying: say why and stop trying this one.
                var problem = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                LogRefused(logger, lookup, (int)response.StatusCode, problem);
                if ((int)response.StatusCode is >= 400 and < 500)
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                LogUnreachable(logger, lookup, ex.Message);
            }

            await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo lookup {Lookup} published")]
    private static partial void LogPublished(ILogger logger, string lookup);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo: the fx rate of {Currency} changes from today on")]
    private static partial void LogRateChanged(ILogger logger, string currency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo lookup {Lookup} refused ({Status}): {Problem}")]
    private static partial void LogRefused(ILogger logger, string lookup, int status, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo lookup {Lookup}: serving layer not reachable yet ({Reason}); retrying")]
    private static partial void LogUnreachable(ILogger logger, string lookup, string reason);
}
