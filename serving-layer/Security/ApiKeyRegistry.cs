using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Lambda.ServingLayer.Configuration;
using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Security;

/// <summary>
/// The configured API keys, held only as SHA-256 digests: a lookup hashes the presented key, so the time it
/// takes says nothing about how much of a real key was guessed, and no key sits in memory in clear.
/// </summary>
public sealed class ApiKeyRegistry
{
    private readonly Dictionary<string, ApiKeyIdentity> _byDigest = new(StringComparer.Ordinal);

    /// <summary>Loads the keys of <see cref="ServingOptions.ApiKeys"/>.</summary>
    public ApiKeyRegistry(IOptions<ServingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = options.Value.ApiKeys;
        for (var i = 0; i < keys.Count; i++)
        {
            var digest = Digest(keys[i].Key);
            _byDigest[digest] = new ApiKeyIdentity($"key{i}-{digest[..8]}", keys[i].Scopes.Distinct(StringComparer.Ordinal).ToArray());
        }
    }

    /// <summary>Number of configured keys.</summary>
    public int Count => _byDigest.Count;

    /// <summary>Finds the key's identity (a non-secret label and its scopes).</summary>
    public bool TryFind(string key, [NotNullWhen(true)] out ApiKeyIdentity? identity)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _byDigest.TryGetValue(Digest(key), out identity);
    }

    private static string Digest(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
