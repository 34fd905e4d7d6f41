using System.Globalization;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Kafka;

/// <summary>Checks <see cref="KafkaOptions"/> at startup; every message names the configuration key at fault.</summary>
public sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    private static readonly string[] BootstrapProperties = ["bootstrap.servers", "metadata.broker.list"];

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string servers = $"{KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapServers)}";
        const string file = $"{KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapFile)}";

        if (!string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            errors.AddRange(ValidateServerList(options.BootstrapServers, servers));
        }
        else if (string.IsNullOrWhiteSpace(options.BootstrapFile))
        {
            errors.Add($"{servers} is empty and {file} is not set: set {servers} to the brokers' host:port list.");
        }
        else
        {
            var path = Path.GetFullPath(options.BootstrapFile);
            if (!File.Exists(path))
            {
                errors.Add($"{file} '{path}' does not exist: start the development broker ('scripts/lambda up') or set {servers}.");
            }
        }

        if (options.StoppedPartitionRecheck < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{KafkaOptions.SectionName}:{nameof(KafkaOptions.StoppedPartitionRecheck)} must be at least 00:00:01.");
        }

        foreach (var (key, value) in options.Client)
        {
            var field = $"{KafkaOptions.SectionName}:{nameof(KafkaOptions.Client)}:{key}";
            if (string.IsNullOrWhiteSpace(key))
            {
                errors.Add($"{KafkaOptions.SectionName}:{nameof(KafkaOptions.Client)} has an entry with an empty property name.");
            }
            else if (BootstrapProperties.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{field} is not allowed: set {servers} instead, so there is one place for the broker list.");
            }
            else if (value is null)
            {
                errors.Add($"{field} has no value.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Entries look like <c>[protocol://]host[:port]</c>, as librdkafka accepts them.</summary>
    internal static IEnumerable<string> ValidateServerList(string list, string field)
    {
        foreach (var raw in list.Split(','))
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                yield return $"{field} '{list}' has an empty entry.";
                continue;
            }

            var scheme = entry.IndexOf("://", StringComparison.Ordinal);
            var hostPort = scheme >= 0 ? entry[(scheme + 3)..] : entry;
            var colon = hostPort.LastIndexOf(':');
            var bracket = hostPort.LastIndexOf(']');
            var host = colon > bracket ? hostPort[..colon] : hostPort;
            if (host.Length == 0 || host.Any(char.IsWhiteSpace))
            {
                yield return $"{field} entry '{entry}' has no valid host.";
            }
            else if (colon > bracket && !IsPort(hostPort[(colon + 1)..]))
            {
                yield return $"{field} entry '{entry}' has an invalid port (expected 1-65535).";
            }
        }
    }

    private static bool IsPort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;
}
