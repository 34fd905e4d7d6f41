using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Dashboard;

/// <summary>
/// Decides whether a request may see the Hangfire dashboard: it sends an admin key in <c>X-Api-Key</c>, or carries the
/// cookie the key prompt set (a data-protected expiry, never the key itself).
/// </summary>
public sealed class DashboardKeyAuthorizer
{
    /// <summary>The cookie the key prompt sets.</summary>
    public const string CookieName = "lambda-dashboard";

    private readonly byte[][] _keys;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    /// <summary>Creates the authorizer.</summary>
    public DashboardKeyAuthorizer(IOptions<BatchDashboardOptions> options, IDataProtectionProvider protection, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(protection);
        _keys = options.Value.ApiKeys.Select(Encoding.UTF8.GetBytes).ToArray();
        _lifetime = options.Value.CookieLifetime;
        _protector = protection.CreateProtector("Lambda.BatchLayer.Dashboard.Cookie");
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>How long a cookie from <see cref="IssueCookie"/> is valid.</summary>
    public TimeSpan CookieLifetime => _lifetime;

    /// <summary>Whether <paramref name="context"/> may see the dashboard.</summary>
    public bool IsAuthorized(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Headers["X-Api-Key"] is [{ Length: > 0 } key] && IsAdminKey(key))
        {
            return true;
        }

        return context.Request.Cookies.TryGetValue(CookieName, out var cookie) && IsValidCookie(cookie);
    }

    /// <summary>Whether <paramref name="key"/> is one of the configured admin keys (constant time per key).</summary>
    public bool IsAdminKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(key);
        var match = false;
        foreach (var expected in _keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, expected);
        }

        return match;
    }

    /// <summary>A cookie value proving a key was entered, valid for <see cref="CookieLifetime"/>.</summary>
    public string IssueCookie() =>
        _protector.Protect((_time.GetUtcNow() + _lifetime).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    private bool IsValidCookie(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie))
        {
            return false;
        }

        try
        {
            return long.TryParse(_protector.Unprotect(cookie), NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
                && _time.GetUtcNow().ToUnixTimeMilliseconds() < expires;
        }
        catch (CryptographicException)
        {
            // Forged, tampered with, or protected by a key ring this process does not have: not a valid cookie.
            return false;
        }
    }
}
