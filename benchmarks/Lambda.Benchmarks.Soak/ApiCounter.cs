using System.Globalization;
using System.Text.Json;

namespace Lambda.Benchmarks.Soak;

/// <summary>
/// Asks the query API (<c>GET /api/views/{view}</c>, <c>granularity=all</c>, grouped by the view's dimension, filtered to
/// the soak's groups) what it counts, and compares that with the oracle.
/// </summary>
internal sealed class ApiCounter(HttpClient http, SoakEndpoints endpoints, DateTimeOffset from, DateTimeOffset to)
{
    /// <summary>The differences between what the API counts and <paramref name="expected"/> (empty: exactly once).</summary>
    public async Task<IReadOnlyList<string>> MismatchesAsync(SoakView view, IReadOnlyList<string> groups, IReadOnlyDictionary<string, GroupTotal> expected, CancellationToken cancellationToken)
    {
        var actual = await CountAsync(view, groups, cancellationToken).ConfigureAwait(false);
        var mismatches = new List<string>();
        foreach (var group in groups)
        {
            var want = expected.GetValueOrDefault(group);
            var got = actual.GetValueOrDefault(group);
            if (want != got)
            {
                mismatches.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{view.Name} {view.Dimension}={group}: API counts {got.Count} events summing to {got.Sum}, sent {want.Count} summing to {want.Sum}"));
            }
        }

        return mismatches;
    }

    private async Task<Dictionary<string, GroupTotal>> CountAsync(SoakView view, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        var filter = string.Join(",", groups.Select(g => $"{view.Dimension}:{g}"));
        var query = string.Create(
            CultureInfo.InvariantCulture,
            $"api/views/{view.Name}?from={from.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}&to={to.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}&granularity=all&group_by={view.Dimension}&filter={Uri.EscapeDataString(filter)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoints.Serving, query));
        request.Headers.Add("X-Api-Key", endpoints.QueryKey);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{view.Name} query answered {(int)response.StatusCode}: {text}");
        }

        using var answer = JsonDocument.Parse(text);
        var totals = new Dictionary<string, GroupTotal>(StringComparer.Ordinal);
        foreach (var row in answer.RootElement.GetProperty("rows").EnumerateArray())
        {
            var group = row.GetProperty(view.Dimension).GetString()!;
            var before = totals.GetValueOrDefault(group);
            totals[group] = new GroupTotal(before.Count + row.GetProperty(view.CountMeasure).GetInt64(), before.Sum + row.GetProperty(view.SumMeasure).GetDecimal());
        }

        return totals;
    }
}
