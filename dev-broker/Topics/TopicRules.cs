namespace Lambda.DevBroker.Topics;

/// <summary>Kafka's rules for topic names, and this broker's bounds for partition counts.</summary>
public static class TopicRules
{
    /// <summary>Kafka's maximum topic name length.</summary>
    public const int MaxNameLength = 249;

    /// <summary>Upper bound on partitions per topic: the broker holds everything in memory.</summary>
    public const int MaxPartitions = 1024;

    /// <summary>Problems with a topic spec, by field name (<c>name</c>, <c>partitions</c>); empty when valid.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(string? name, int? partitions)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(name))
        {
            errors["name"] = ["name is required."];
        }
        else if (name.Length > MaxNameLength)
        {
            errors["name"] = [$"name is {name.Length} characters long; Kafka allows at most {MaxNameLength}."];
        }
        else if (name is "." or ".." || !name.All(IsLegal))
        {
            errors["name"] = [$"name '{name}' is not a legal Kafka topic name (use letters, digits, '.', '_' and '-')."];
        }

        if (partitions is null)
        {
            errors["partitions"] = ["partitions is required."];
        }
        else if (partitions < 1 || partitions > MaxPartitions)
        {
            errors["partitions"] = [$"partitions must be between 1 and {MaxPartitions}, got {partitions}."];
        }

        return errors;
    }

    private static bool IsLegal(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
