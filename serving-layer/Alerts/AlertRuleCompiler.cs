using System.Globalization;
using System.Text.RegularExpressions;
using Lambda.ServingLayer.Querying;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Alerts;

/// <summary>Checks configured alert rules against the catalog and turns them into <see cref="AlertRule"/>s; every error names its configuration key.</summary>
internal static partial class AlertRuleCompiler
{
    /// <summary>The longest accepted window.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);

    /// <summary>Compiles every valid rule of <paramref name="options"/>; adds one message per problem to <paramref name="errors"/>.</summary>
    public static IReadOnlyList<AlertRule> Compile(AlertOptions options, LambdaCatalog catalog, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(errors);
        var rules = new List<AlertRule>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            if (TryCompile(options.Rules[i], $"{AlertOptions.SectionName}:{nameof(AlertOptions.Rules)}:{i}", catalog, names, errors) is { } rule)
            {
                rules.Add(rule);
            }
        }

        CheckRange(errors, nameof(AlertOptions.EvaluationInterval), options.EvaluationInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckRange(errors, nameof(AlertOptions.WebhookTimeout), options.WebhookTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        if (!string.IsNullOrWhiteSpace(options.WebhookUrl)
            && (!Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{AlertOptions.SectionName}:{nameof(AlertOptions.WebhookUrl)} '{options.WebhookUrl}' is not an absolute http or https URL.");
        }

        return rules;
    }

    private static AlertRule? TryCompile(
        AlertRuleOptions rule, string path, LambdaCatalog catalog, HashSet<string> names, ICollection<string> errors)
    {
        var count = errors.Count;
        if (!NamePattern().IsMatch(rule.Name ?? string.Empty))
        {
            errors.Add($"{path}:{nameof(AlertRuleOptions.Name)} '{rule.Name}' must be 1 to 100 letters, digits, '_', '-' or '.'.");
        }
        else if (!names.Add(rule.Name!))
        {
            errors.Add($"{path}:{nameof(AlertRuleOptions.Name)} '{rule.Name}' repeats an earlier rule's name.");
        }

        if (!AlertConditionExtensions.TryParse(rule.Condition, out var condition))
        {
            errors.Add($"{path}:{nameof(AlertRuleOptions.Condition)} '{rule.Condition}' is not one of {string.Join(" ", AlertConditionExtensions.Symbols)}.");
        }

        if (rule.Threshold is not { } threshold || !double.IsFinite(threshold))
        {
            errors.Add($"{path}:{nameof(AlertRuleOptions.Threshold)} must be set to a finite number.");
            threshold = 0;
        }

        if (!catalog.TryGetView(rule.View ?? string.Empty, out var view))
        {
            errors.Add($"{path}:{nameof(AlertRuleOptions.View)} '{rule.View}' is not a view of the catalog; the views are {string.Join(", ", catalog.Views.Select(v => v.Name))}.");
            return null;
        }

        if (!view.TryGetMeasure(rule.Measure ?? string.Empty, out var measure))
        {
            errors.Add($"{path}:{nameof(AlertRuleOptions.Measure)} '{rule.Measure}' is not a measure of view '{view.Name}'; its measures are {string.Join(", ", view.Measures.Select(m => m.Name))}.");
        }
        else if (measure.ResultKind is not (MeasureValueKind.Long or MeasureValueKind.Double or MeasureValueKind.Decimal))
        {
            errors.Add($"{path}:{nameof(AlertRuleOptions.Measure)} '{measure.Name}' of view '{view.Name}' is a {measure.ResultKind.ToString().ToLowerInvariant()}, not a number: it cannot be compared with a threshold.");
        }

        var bucket = view.Granularity.ToTimeSpan();
        if (rule.Window <= TimeSpan.Zero || rule.Window > MaxWindow || rule.Window.Ticks % bucket.Ticks != 0)
        {
            errors.Add($"{path}:{nameof(AlertRuleOptions.Window)} '{rule.Window}' must be a positive whole number of view '{view.Name}''s {view.Granularity.ToName()} buckets "
                + $"({bucket.ToString("c", CultureInfo.InvariantCulture)}), at most {MaxWindow.TotalDays.ToString(CultureInfo.InvariantCulture)} days.");
        }

        // The same component reads the query API's filter= and where=, so a rule accepts exactly what they accept.
        var filterText = string.IsNullOrWhiteSpace(rule.Filter) ? null : rule.Filter;
        if (!DimensionFilterParser.TryParse(view, filterText, rule.Where, out var filter, out var error))
        {
            errors.Add($"{path}:{(error.Parameter == DimensionFilterParser.WhereParameter ? nameof(AlertRuleOptions.Where) : nameof(AlertRuleOptions.Filter))}: {error.Message}.");
        }
        else if (!string.IsNullOrWhiteSpace(rule.Where))
        {
            filterText = filter.CanonicalText;
        }

        return errors.Count == count && measure is not null
            ? new AlertRule(rule.Name!, view, measure, filterText, filter!, rule.Window, condition, threshold)
            : null;
    }

    private static void CheckRange(ICollection<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{AlertOptions.SectionName}:{key} '{value}' must be from {min:c} to {max:c}.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex NamePattern();
}
