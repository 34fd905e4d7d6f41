using System.Net;
using System.Text.Json;

namespace Lambda.ServingLayer.Tests.Support;

/// <summary>Reads RFC 7807 answers.</summary>
internal static class ProblemAssert
{
    /// <summary>Asserts a problem+json answer with <paramref name="status"/> and returns its body.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>Asserts a problem naming <paramref name="parameter"/> in its <c>parameter</c> member and its detail.</summary>
    public static async Task<JsonElement> ReadNamingAsync(HttpResponseMessage response, HttpStatusCode status, string parameter)
    {
        var problem = await ReadAsync(response, status);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        return problem;
    }
}
