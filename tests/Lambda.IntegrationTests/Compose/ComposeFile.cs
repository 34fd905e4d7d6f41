using YamlDotNet.RepresentationModel;

namespace Lambda.IntegrationTests.Compose;

/// <summary>Reads the parts of a compose file the checks look at (services, images, builds, environment, ports, volumes, command).</summary>
internal static class ComposeFile
{
    public static IReadOnlyDictionary<string, ComposeService> Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        var services = (YamlMappingNode)root.Children[new YamlScalarNode("services")];
        return services.Children.ToDictionary(
            entry => Scalar(entry.Key),
            entry => Service(Scalar(entry.Key), (YamlMappingNode)entry.Value),
            StringComparer.Ordinal);
    }

    private static ComposeService Service(string name, YamlMappingNode node)
    {
        string? context = null, dockerfile = null;
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Child(node, "build"))
        {
            case YamlScalarNode build:
                context = build.Value;
                dockerfile = "Dockerfile";
                break;
            case YamlMappingNode build:
                context = Child(build, "context") is YamlScalarNode c ? c.Value : ".";
                dockerfile = Child(build, "dockerfile") is YamlScalarNode d ? d.Value : "Dockerfile";
                args = Environment(Child(build, "args"));
                break;
        }

        return new ComposeService(
            name,
            Child(node, "image") is YamlScalarNode image ? image.Value : null,
            context,
            dockerfile,
            args,
            Environment(Child(node, "environment")),
            Names(Child(node, "depends_on"), "depends_on"),
            Names(Child(node, "ports"), "ports"),
            Names(Child(node, "volumes"), "volumes"),
            Child(node, "command") switch
            {
                null => "",
                YamlScalarNode command => command.Value ?? "",
                YamlSequenceNode command => string.Join('\n', command.Children.Select(Scalar)),
                var other => throw new InvalidDataException($"command has an unexpected shape: {other}"),
            });
    }

    // Compose allows both forms for environment and build args: a mapping (KEY: value) and a list of "KEY=value" strings.
    private static Dictionary<string, string> Environment(YamlNode? node) => node switch
    {
        null => new Dictionary<string, string>(StringComparer.Ordinal),
        YamlMappingNode map => map.Children.ToDictionary(e => Scalar(e.Key), e => Scalar(e.Value), StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.Select(Scalar).Select(s => s.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal),
        _ => throw new InvalidDataException($"environment has an unexpected shape: {node}"),
    };

    // depends_on comes as a mapping (name: condition) or a list; ports and volumes in their short (string) form.
    private static List<string> Names(YamlNode? node, string what) => node switch
    {
        null => [],
        YamlMappingNode map => map.Children.Keys.Select(Scalar).ToList(),
        YamlSequenceNode list => list.Children.Select(Scalar).ToList(),
        _ => throw new InvalidDataException($"{what} has an unexpected shape: {node}"),
    };

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string Scalar(YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new InvalidDataException($"expected a scalar at {node.Start}");
}
