using System.Collections;
using System.Reflection;
using Lambda.Shared.Kafka;
using Microsoft.Extensions.Configuration;

namespace Lambda.IntegrationTests.Compose;

/// <summary>
/// The configuration keys a service really reads, derived from the code and its settings files rather
/// than listed by hand: the keys of the service's <c>appsettings*.json</c>, plus, for every options
/// class in Lambda.Shared that declares a <c>SectionName</c>, one key per property. Dictionary and
/// list properties (like <c>Kafka:Client</c>) accept any key beneath them.
/// </summary>
internal sealed class ConfigurationKeys
{
    private readonly HashSet<string> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _openPrefixes = [];

    public IReadOnlyCollection<string> Keys => _keys;

    public static ConfigurationKeys ForProject(string projectDirectory)
    {
        var result = new ConfigurationKeys();
        foreach (var file in Directory.EnumerateFiles(projectDirectory, "appsettings*.json"))
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false).Build();
            foreach (var (key, _) in configuration.AsEnumerable())
            {
                result._keys.Add(key);
            }
        }

        foreach (var type in typeof(KafkaOptions).Assembly.GetExportedTypes())
        {
            if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string section)
            {
                result.AddProperties(section, type, depth: 0);
            }
        }

        return result;
    }

    /// <summary>True when <paramref name="key"/> (with ':' separators) is read by the service.</summary>
    public bool Contains(string key) =>
        _keys.Contains(key) || _openPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase) && key.Length > p.Length);

    /// <summary>Maps an environment variable name to its configuration key, as the .NET host does.</summary>
    public static string FromEnvironmentVariable(string name) => name.Replace("__", ":", StringComparison.Ordinal);

    private void AddProperties(string prefix, Type type, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            _keys.Add(key);
            if (propertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                _openPrefixes.Add(key + ":");
            }
            else if (propertyType.IsClass && propertyType != typeof(string) && propertyType != typeof(Uri) && depth < 4)
            {
                AddProperties(key, propertyType, depth + 1);
            }
        }
    }
}
