using Microsoft.Playwright;

namespace Lambda.IntegrationTests.Dashboard;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, installed by <c>scripts/lambda test</c>) driven by Playwright, never a browser
/// Playwright downloads: this machine kind has no route to the download hosts. LAMBDA_CHROMIUM names another binary.
/// </summary>
internal static class DebianChromium
{
    /// <summary>The browser binary the tests launch.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("LAMBDA_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Launches it headless with a fresh profile.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} does not exist: install Debian's chromium (scripts/lambda test does) or set LAMBDA_CHROMIUM.");
        }

        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,

            // As root (CI) Chromium needs --no-sandbox; the others stop it from calling Google's hosts, which a closed
            // network refuses many at a time.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }
}
