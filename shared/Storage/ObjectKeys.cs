namespace Lambda.Shared.Storage;

/// <summary>The rules every object key follows, so that one key means the same file locally and in a bucket.</summary>
public static class ObjectKeys
{
    /// <summary>
    /// Throws unless <paramref name="key"/> is a relative <c>/</c>-separated path of non-empty segments, none of them
    /// <c>.</c> or <c>..</c>, without backslashes (a local store must never write outside its root).
    /// </summary>
    public static string Validate(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Contains('\\', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"object key '{key}' contains a backslash or NUL", nameof(key));
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                throw new ArgumentException($"object key '{key}' has an empty, '.' or '..' segment", nameof(key));
            }
        }

        return key;
    }

    /// <summary>Throws unless <paramref name="prefix"/> is empty or a key prefix that could not leave the root.</summary>
    public static string ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
        {
            Validate(prefix.EndsWith('/') ? prefix[..^1] : prefix);
        }

        return prefix;
    }
}
