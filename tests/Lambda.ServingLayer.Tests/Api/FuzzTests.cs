using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lambda.ServingLayer.Tests.Support;
using Xunit.Abstractions;

namespace Lambda.ServingLayer.Tests.Api;

/// <summary>
/// 1,000 malformed requests from a fixed seed: wrong or missing keys, unknown paths and methods, bad query
/// parameters, bodies that are not what the endpoint reads, with random extra headers. Each must be a 4xx
/// answered with problem+json, never a 5xx, and nothing may reach Kafka or Hangfire.
/// </summary>
public sealed class FuzzTests(ServingAppFactory factory, ITestOutputHelper output) : IClassFixture<ServingAppFactory>
{
    private const int Requests = 1_000;
    private const int Seed = 20261125;
    private static readonly string[] Views = ["revenue_by_country", "orders_by_status", "traffic_by_country", "site_climate"];
    private static readonly string[] Known = ["from", "to", "granularity", "group_by", "filter", "limit", "view"];

    // Paths without NUL: a %00 in a path is refused by the HTTP server (Kestrel; TestServer's client throws) before the app runs.
    private const string PathAlphabet = "abcXYZ019 :,;=&?/\\\"'{}[]%+-_.\t\u00e9\u4e2d\u00ff";

    [Fact]
    public async Task Every_malformed_request_gets_a_4xx_problem_and_never_a_5xx()
    {
        var random = new Random(Seed);
        using var client = factory.CreateClient(apiKey: null);
        var statuses = new SortedDictionary<int, int>();
        for (var i = 0; i < Requests; i++)
        {
            using var request = Generate(random, out var description);
            AddRandomHeaders(random, request);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;

            Assert.True(status is >= 400 and < 500, $"request {i} ({description}) got {status}: {body}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"request {i} ({description}) got {response.Content.Headers.ContentType}: {body}");
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        }

        output.WriteLine(string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(statuses.Count >= 6, "the generator should reach many kinds of refusal");
        Assert.Empty(factory.Publisher.Published);
        Assert.Empty(factory.Scheduler.Enqueued);
    }

    private static HttpRequestMessage Generate(Random random, out string description)
    {
        switch (random.Next(8))
        {
            case 0:
            {
                var (method, path) = RealEndpoint(random);
                var request = new HttpRequestMessage(method, path);
                var key = random.Next(3) switch { 0 => null, 1 => Junk(random, 1, 40, printableOnly: true), _ => ServingAppFactory.QueryKey.ToUpperInvariant() };
                if (key is not null)
                {
                    request.Headers.TryAddWithoutValidation("X-Api-Key", key);
                }

                description = $"{method} {path} with key '{key}'";
                return request;
            }

            case 1:
            {
                var (method, path, key) = random.Next(4) switch
                {
                    0 => (HttpMethod.Get, "/api/views", ServingAppFactory.IngestKey),
                    1 => (HttpMethod.Post, "/api/events/orders", ServingAppFactory.QueryKey),
                    2 => (HttpMethod.Post, "/api/admin/batch/recompute", ServingAppFactory.QueryKey),
                    _ => (HttpMethod.Get, "/api/admin/batch/status", ServingAppFactory.IngestKey),
                };
                description = $"{method} {path} without the scope";
                return WithKey(new HttpRequestMessage(method, path), key);
            }

            case 2:
            {
                var prefix = random.Next(4) switch { 0 => "/api/v2/", 1 => "/nope/", 2 => "/api/views/v/", _ => "/api/admin/" };
                var path = prefix + Uri.EscapeDataString("s" + Junk(random, 1, 20, alphabet: PathAlphabet));
                description = $"unknown path {path}";
                return WithKey(new HttpRequestMessage(RandomMethod(random), path), ServingAppFactory.AllKey);
            }

            case 3:
            {
                var (path, methods) = random.Next(4) switch
                {
                    0 => ("/api/views", new[] { "POST", "PUT", "DELETE", "PATCH" }),
                    1 => ("/api/views/revenue_by_country", ["POST", "PUT", "DELETE"]),
                    2 => ("/api/events/orders", ["GET", "PUT", "DELETE"]),
                    _ => ("/api/admin/batch/recompute", ["GET", "PUT", "DELETE"]),
                };
                var method = new HttpMethod(methods[random.Next(methods.Length)]);
                description = $"{method} {path}";
                return WithKey(new HttpRequestMessage(method, path), ServingAppFactory.AllKey);
            }

            case 4:
            case 5:
                return BadQuery(random, out description);

            case 6:
                return BadIngest(random, out description);

            default:
                return BadAdmin(random, out description);
        }
    }

    private static HttpRequestMessage BadQuery(Random random, out string description)
    {
        var view = Views[random.Next(Views.Length)];
        var hourly = view == "orders_by_status";
        var parameters = new List<(string Name, string Value)> { ("from", "2026-11-25T00:00:00Z"), ("to", "2026-11-26T00:00:00Z") };
        if (random.Next(2) == 0)
        {
            parameters.Add(("granularity", random.Next(2) == 0 ? "day" : "all"));
        }

        if (random.Next(2) == 0)
        {
            parameters.Add(("limit", random.Next(1, 100).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var defects = random.Next(1, 4);
        var applied = new List<string>();
        for (var d = 0; d < defects; d++)
        {
            switch (random.Next(hourly ? 13 : 12))
            {
                case 0: parameters.RemoveAll(p => p.Name == "from"); applied.Add("no from"); break;
                case 1: parameters.RemoveAll(p => p.Name == "to"); applied.Add("no to"); break;
                case 2: Set(parameters, "from", "x" + Junk(random, 0, 30)); applied.Add("bad from"); break;
                case 3: Set(parameters, "to", hourly ? "2026-11-26T00:30:00Z" : "2026-11-26T00:00:30Z"); applied.Add("unaligned to"); break;
                case 4: Set(parameters, "to", "2026-11-25T00:00:00Z"); Set(parameters, "from", "2026-11-25T00:00:00Z"); applied.Add("empty range"); break;
                case 5: Set(parameters, "granularity", "g" + Junk(random, 0, 10)); applied.Add("bad granularity"); break;
                case 6: Set(parameters, "group_by", "zz" + Junk(random, 0, 10)); applied.Add("bad group_by"); break;
                case 7: parameters.Add(("filter", random.Next(2) == 0 ? "nodim" + Junk(random, 0, 8) + ":x" : "q" + Junk(random, 0, 8).Replace(":", "", StringComparison.Ordinal))); applied.Add("bad filter"); break;
                case 8: Set(parameters, "limit", random.Next(3) switch { 0 => "0", 1 => "-" + random.Next(1, 99), _ => "n" + Junk(random, 0, 6) }); applied.Add("bad limit"); break;
                case 9: parameters.Add((UnknownName(random), Junk(random, 0, 10))); applied.Add("unknown parameter"); break;
                case 10: parameters.Add(("from", "2026-11-25T00:00:00Z")); applied.Add("from twice"); break;
                case 11: view = "v" + Junk(random, 1, 20, alphabet: PathAlphabet); applied.Add("unknown view"); break;
                default: Set(parameters, "granularity", "minute"); applied.Add("finer granularity"); break;
            }
        }

        var query = string.Join("&", parameters.OrderBy(_ => random.Next()).Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));
        var path = $"/api/views/{Uri.EscapeDataString(view)}?{query}";
        description = $"GET {path} ({string.Join(", ", applied)})";
        return WithKey(new HttpRequestMessage(HttpMethod.Get, path), random.Next(2) == 0 ? ServingAppFactory.QueryKey : ServingAppFactory.AllKey);
    }

    private static HttpRequestMessage BadIngest(Random random, out string description)
    {
        var source = "orders";
        string body;
        var contentType = random.Next(2) == 0 ? "application/json" : "application/x-ndjson";
        switch (random.Next(6))
        {
            case 0:
                source = "s" + Junk(random, 1, 12, alphabet: PathAlphabet);
                body = "[" + Orders.Json(0, "US", 1m) + "]";
                description = "unknown source";
                break;
            case 1:
                body = "[" + Orders.Json(0, "US", 1m) + "]";
                contentType = random.Next(3) switch { 0 => "text/plain", 1 => "application/xml", _ => "application/x-" + Junk(random, 1, 8, alphabet: "abcdefgh") };
                description = $"content type {contentType}";
                break;
            case 2:
                body = new string(' ', random.Next(0, 5));
                description = "empty body";
                break;
            case 3:
                contentType = "application/json";
                body = "[" + Junk(random, 0, 200).Replace("]", string.Empty, StringComparison.Ordinal);
                description = "unclosed array";
                break;
            case 4:
                contentType = "application/json";
                body = random.Next(3) switch { 0 => "\"" + Junk(random, 0, 20).Replace("\"", string.Empty, StringComparison.Ordinal) + "\"", 1 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), _ => "true" };
                description = "JSON scalar";
                break;
            default:
                body = string.Join(contentType == "application/json" ? "," : "\n", Enumerable.Repeat("{}", ServingAppFactory.MaxIngestRecords + random.Next(1, 20)));
                body = contentType == "application/json" ? "[" + body + "]" : body;
                description = "too many records";
                break;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/events/" + Uri.EscapeDataString(source))
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var media) ? media : null;
        description = $"POST {request.RequestUri} {contentType}: {description}";
        return WithKey(request, random.Next(2) == 0 ? ServingAppFactory.IngestKey : ServingAppFactory.AllKey);
    }

    private static HttpRequestMessage BadAdmin(Random random, out string description)
    {
        if (random.Next(3) == 0)
        {
            var query = random.Next(2) == 0
                ? "limit=" + Uri.EscapeDataString(random.Next(2) == 0 ? "0" : "x" + Junk(random, 0, 5))
                : UnknownName(random) + "=" + Uri.EscapeDataString(Junk(random, 0, 8));
            description = "GET status?" + query;
            return WithKey(new HttpRequestMessage(HttpMethod.Get, "/api/admin/batch/status?" + query), ServingAppFactory.AdminKey);
        }

        var (body, contentType) = random.Next(6) switch
        {
            0 => ("{\"from\":\"" + Junk(random, 1, 10, alphabet: "0123456789-/x") + "x\",\"to\":\"2026-11-03\"}", "application/json"),
            1 => ("{\"from\":\"2026-11-05\",\"to\":\"2026-11-01\"}", "application/json"),
            2 => ("{\"mode\":\"m" + Junk(random, 0, 8, alphabet: "abcdefgh") + "\"}", "application/json"),
            3 => ("{" + Junk(random, 0, 40).Replace("}", string.Empty, StringComparison.Ordinal), "application/json"),
            4 => ("{\"from\":\"2026-11-01\"}", "application/json"),
            _ => ("from=2026-11-01&to=2026-11-02", "application/x-www-form-urlencoded"),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/batch/recompute") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        description = $"POST recompute {contentType}: {body}";
        return WithKey(request, ServingAppFactory.AdminKey);
    }

    private static void AddRandomHeaders(Random random, HttpRequestMessage request)
    {
        for (var i = random.Next(4); i > 0; i--)
        {
            switch (random.Next(5))
            {
                case 0: request.Headers.TryAddWithoutValidation("Accept", random.Next(3) switch { 0 => "text/html", 1 => "application/xml;q=0.9", _ => Junk(random, 1, 20, printableOnly: true) }); break;
                case 1: request.Headers.TryAddWithoutValidation("Accept-Language", Junk(random, 1, 12, printableOnly: true)); break;
                case 2: request.Headers.TryAddWithoutValidation("X-" + Junk(random, 1, 10, alphabet: "abcdefghij"), Junk(random, 0, 30, printableOnly: true)); break;
                case 3: request.Headers.TryAddWithoutValidation("If-None-Match", Junk(random, 1, 10, printableOnly: true)); break;
                default: request.Headers.TryAddWithoutValidation("User-Agent", Junk(random, 1, 30, printableOnly: true)); break;
            }
        }
    }

    private static (HttpMethod, string) RealEndpoint(Random random) => random.Next(5) switch
    {
        0 => (HttpMethod.Get, "/api/views"),
        1 => (HttpMethod.Get, "/api/views/revenue_by_country?from=2026-11-25&to=2026-11-26"),
        2 => (HttpMethod.Post, "/api/events/orders"),
        3 => (HttpMethod.Post, "/api/admin/batch/recompute"),
        _ => (HttpMethod.Get, "/api/admin/batch/status"),
    };

    private static HttpMethod RandomMethod(Random random) =>
        new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch }[random.Next(5)];

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key)
    {
        request.Headers.TryAddWithoutValidation("X-Api-Key", key);
        return request;
    }

    private static void Set(List<(string Name, string Value)> parameters, string name, string value)
    {
        parameters.RemoveAll(p => p.Name == name);
        parameters.Add((name, value));
    }

    private static string UnknownName(Random random)
    {
        while (true)
        {
            var name = Junk(random, 1, 12, alphabet: "abcdefghijklmnopqrstuvwxyz_");
            if (!Known.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return name;
            }
        }
    }

    private static string Junk(Random random, int min, int max, string? alphabet = null, bool printableOnly = false)
    {
        alphabet ??= printableOnly
            ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&'()*+,-./:;<=>?@[]^_`{|}~"
            : "abcXYZ019 :,;=&?/\\\"'{}[]%+-_.\t\u00e9\u4e2d\u0000\u00ff\ud83d\ude00";
        var length = random.Next(min, max + 1);
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            var c = alphabet[random.Next(alphabet.Length)];
            if (char.IsSurrogate(c))
            {
                sb.Append("\ud83d\ude00");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
