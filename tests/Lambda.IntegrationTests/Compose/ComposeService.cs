namespace Lambda.IntegrationTests.Compose;

/// <summary>One service of docker-compose.yml, as far as the checks need it.</summary>
internal sealed record ComposeService(
    string Name,
    string? Image,
    string? BuildContext,
    string? Dockerfile,
    IReadOnlyDictionary<string, string> BuildArgs,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<string> Ports,
    IReadOnlyList<string> Volumes,
    string Command);
