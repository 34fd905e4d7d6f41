using System.Globalization;

namespace Lambda.Testing;

/// <summary>
/// Reads samples out of a Prometheus text exposition (<c>name{labels} value [timestamp]</c>), independently of the
/// exporter the services use, so a test checks what a scraper would see.
/// </summary>
public static class PrometheusText
{
    /// <summary>The samples of metric <paramref name="name"/> (exactly that name) whose label text contains every one of <paramref name="labels"/>.</summary>
    public static IReadOnlyList<(string Labels, double Value)> Samples(string text, string name, params string[] labels)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        var samples = new List<(string, double)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length <= name.Length || line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal) || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            var labelText = "";
            var rest = line[name.Length..];
            if (rest[0] == '{')
            {
                var close = rest.LastIndexOf('}');
                labelText = rest[1..close];
                rest = rest[(close + 1)..];
            }

            if (!labels.All(l => labelText.Contains(l, StringComparison.Ordinal)))
            {
                continue;
            }

            var value = rest.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            samples.Add((labelText, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
            }));
        }

        return samples;
    }

    /// <summary>The sum of <see cref="Samples"/> (0 when there is none).</summary>
    public static double Sum(string text, string name, params string[] labels) => Samples(text, name, labels).Sum(s => s.Value);
}
