using Microsoft.Extensions.Options;

namespace Lambda.ServingLayer.Pipeline;

/// <summary>Checks what data annotations cannot: the nested thresholds, and that the history holds at least two samples.</summary>
internal sealed class PipelineHealthOptionsValidator : IValidateOptions<PipelineHealthOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineHealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.History < 2 * options.SampleInterval)
        {
            errors.Add($"{PipelineHealthOptions.SectionName}:{nameof(PipelineHealthOptions.History)} ({options.History}) must hold at least two samples of "
                + $"{PipelineHealthOptions.SectionName}:{nameof(PipelineHealthOptions.SampleInterval)} ({options.SampleInterval}).");
        }

        var thresholds = options.Thresholds;
        var path = $"{PipelineHealthOptions.SectionName}:{nameof(PipelineHealthOptions.Thresholds)}";
        if (thresholds is null)
        {
            errors.Add($"{path} is missing.");
        }
        else
        {
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(thresholds, new(thresholds), results, validateAllProperties: true))
            {
                errors.AddRange(results.Select(r => $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
