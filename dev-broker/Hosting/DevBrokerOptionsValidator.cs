using Lambda.DevBroker.Topics;
using Microsoft.Extensions.Options;

namespace Lambda.DevBroker.Hosting;

/// <summary>Checks the configured topics with the same rules the control API applies.</summary>
internal sealed class DevBrokerOptionsValidator : IValidateOptions<DevBrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, DevBrokerOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Topics.Count; i++)
        {
            var topic = options.Topics[i];
            errors.AddRange(TopicRules.Validate(topic.Name, topic.Partitions)
                .SelectMany(e => e.Value.Select(message => $"{DevBrokerOptions.SectionName}:Topics:{i}: {message}")));
        }

        var duplicates = options.Topics
            .Where(t => t.Name is not null)
            .GroupBy(t => t.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key);
        errors.AddRange(duplicates.Select(d => $"{DevBrokerOptions.SectionName}:Topics lists '{d}' more than once."));

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
