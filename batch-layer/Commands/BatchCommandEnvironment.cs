using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// What the commands run against: the console, and for tests and embedding, extra configuration
/// and service registrations applied to every host a command builds.
/// </summary>
public sealed record BatchCommandEnvironment
{
    /// <summary>The console for tables, progress and messages. Default: the process console.</summary>
    public IAnsiConsole Console { get; init; } = AnsiConsole.Console;

    /// <summary>Configuration that overrides appsettings, environment and command-line values.</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>Runs after the batch layer's registrations (e.g. to register a test engine).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
