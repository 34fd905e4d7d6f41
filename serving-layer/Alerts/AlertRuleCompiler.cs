using System.Globalization;
using System.Text.RegularExpressions;
using Lambda.ServingLayer.Querying;
using Lambda.Shared.Measures;
using Lambda.Shared.Time;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Alerts;

/// <summary>
/// Checks alert rules (configured, or sent to <c>PUT /api/admin/alerts/{name}</c>) against the catalog and turns them into
/// <see cref="AlertRule"/>s; every error names the rule's member at fault.
/// </summary>
public static partial class AlertRuleCompiler
{
    /// <summary>The longest accepted window.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);

    /// <summary>The most <see cref="AlertRuleOptions.GroupBy"/> dimensions of one rule.</summary>
    public const int MaxGroupBy = 4;

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
            var path = $"{AlertOptions.SectionName}:{nameof(AlertOptions.Rules)}:{i}";
            var rule = options.Rules[i];
            if (NamePattern().IsMatch(rule.Name ?? string.Empty) && !names.Add(rule.Name!))
            {
                errors.Add($"{path}:{nameof(AlertRuleOptions.Name)} '{rule.Name}' repeats an earlier rule's name.");
            }

            if (TryCompile(rule, catalog, (member, text) => errors.Add($"{path}:{member}{text}")) is { } compiled)
            {
                rules.Add(compiled);
            }
        }

        CheckRange(errors, nameof(AlertOptions.EvaluationInterval), options.EvaluationInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckRange(errors, nameof(AlertOptions.WebhookTimeout), options.WebhookTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        CheckRange(errors, nameof(AlertOptions.LeaderRetryInterval), options.LeaderRetryInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        CheckRange(errors, nameof(AlertOptions.WebhookRetryBaseDelay), options.WebhookRetryBaseDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5));
        if (options.WebhookAttempts is < 1 or > 20)
        {
            errors.Add($"{AlertOptions.SectionName}:{nameof(AlertOptions.WebhookAttempts)} '{options.WebhookAttempts}' must be from 1 to 20.");
        }

        if (options.Schema is { } schema && !SchemaPattern().IsMatch(schema))
        {
            errors.Add($"{AlertOptions.SectionName}:{nameof(AlertOptions.Schema)} '{schema}' must be 1 to 63 lowercase letters, digits or '_', starting with a letter or '_'.");
        }

        if (!string.IsNullOrWhiteSpace(options.WebhookUrl)
            && (!Uri.TryCreate(options.WebhookUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{AlertOptions.SectionName}:{nameof(AlertOptions.WebhookUrl)} '{options.WebhookUrl}' is not an absolute http or https URL.");
        }

        return rules;
    }

    /// <summary>
    /// Compiles one rule. Each problem is reported to <paramref name="error"/> as the member's name
    /// (<see cref="AlertRuleOptions"/> property) and the text that follows it, e.g. <c>" 'nope' is not a view ..."</c>.
    /// </summary>
    /// <returns>The rule, or null when a problem was reported.</returns>
    public static AlertRule? TryCompile(AlertRuleOptions rule, LambdaCatalog catalog, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(error);
        var failed = false;
        void Fail(string member, string text)
        {
            failed = true;
            error(member, text);
        }

        if (!AlertRuleKinds.TryParse(rule.Kind, out var kind))
        {
            Fail(nameof(AlertRuleOptions.Kind), $" '{rule.Kind}' is not one of {string.Join(", ", AlertRuleKinds.All)}.");
            return null;
        }

        if (kind == AlertRuleKinds.Drift)
        {
            // Checked here too, so every caller of TryCompile refuses a bad drift rule; it compiles through TryCompileDrift.
            TryCompileDrift(rule, catalog, error);
            return null;
        }

        if (!NamePattern().IsMatch(rule.Name ?? string.Empty))
        {
            Fail(nameof(AlertRuleOptions.Name), $" '{rule.Name}' must be 1 to 100 letters, digits, '_', '-' or '.'.");
        }

        if (!AlertConditionExtensions.TryParse(rule.Condition, out var condition))
        {
            Fail(nameof(AlertRuleOptions.Condition), $" '{rule.Condition}' is not one of {string.Join(" ", AlertConditionExtensions.Symbols)}.");
        }

        if (rule.Threshold is not { } threshold || !double.IsFinite(threshold))
        {
            Fail(nameof(AlertRuleOptions.Threshold), " must be set to a finite number.");
            threshold = 0;
        }

        if (!catalog.TryGetView(rule.View ?? string.Empty, out var view))
        {
            Fail(nameof(AlertRuleOptions.View), $" '{rule.View}' is not a view of the catalog; the views are {string.Join(", ", catalog.Views.Select(v => v.Name))}.");
            return null;
        }

        if (!view.TryGetMeasure(rule.Measure ?? string.Empty, out var measure))
        {
            Fail(nameof(AlertRuleOptions.Measure), $" '{rule.Measure}' is not a measure of view '{view.Name}'; its measures are {string.Join(", ", view.Measures.Select(m => m.Name))}.");
        }
        else if (measure.ResultKind is not (MeasureValueKind.Long or MeasureValueKind.Double or MeasureValueKind.Decimal))
        {
            Fail(nameof(AlertRuleOptions.Measure), $" '{measure.Name}' of view '{view.Name}' is a {measure.ResultKind.ToString().ToLowerInvariant()}, not a number: it cannot be compared with a threshold.");
        }

        var bucket = view.Granularity.ToTimeSpan();
        if (!TrailingWindow.TryCreate(rule.Window, view.Granularity, out var window, out _) || rule.Window > MaxWindow)
        {
            Fail(nameof(AlertRuleOptions.Window), $" '{rule.Window}' must be a positive whole number of view '{view.Name}''s {view.Granularity.ToName()} buckets "
                + $"({bucket.ToString("c", CultureInfo.InvariantCulture)}), at most {MaxWindow.TotalDays.ToString(CultureInfo.InvariantCulture)} days.");
        }

        var groupBy = new List<int>();
        foreach (var dimension in rule.GroupBy ?? [])
        {
            var index = view.IndexOfDimension(dimension ?? string.Empty);
            if (index < 0)
            {
                Fail(nameof(AlertRuleOptions.GroupBy), $" '{dimension}' is not a dimension of view '{view.Name}'; its dimensions are {string.Join(", ", view.Dimensions.Select(d => d.Name))}.");
            }
            else if (groupBy.Contains(index))
            {
                Fail(nameof(AlertRuleOptions.GroupBy), $" names '{dimension}' twice.");
            }
            else
            {
                groupBy.Add(index);
            }
        }

        if (groupBy.Count > MaxGroupBy)
        {
            Fail(nameof(AlertRuleOptions.GroupBy), $" has {groupBy.Count} dimensions; at most {MaxGroupBy}.");
        }

        // The same component reads the query API's filter= and where=, so a rule accepts exactly what they accept.
        var filterText = string.IsNullOrWhiteSpace(rule.Filter) ? null : rule.Filter;
        if (!DimensionFilterParser.TryParse(view, filterText, rule.Where, out var filter, out var parseError))
        {
            Fail(parseError.Parameter == DimensionFilterParser.WhereParameter ? nameof(AlertRuleOptions.Where) : nameof(AlertRuleOptions.Filter), $": {parseError.Message}.");
        }
        else if (!string.IsNullOrWhiteSpace(rule.Where))
        {
            filterText = filter.CanonicalText;
        }

        return !failed && measure is not null
            ? new AlertRule(rule.Name!, view, measure, filterText, filter!, window!, condition, threshold, groupBy)
            : null;
    }

    /// <summary>
    /// Compiles a rule of kind <c>drift</c>: a name, optionally a view of the catalog, and none of the threshold members
    /// (each one set is reported to <paramref name="error"/> like <see cref="TryCompile"/> does).
    /// </summary>
    /// <returns>The rule, or null when a problem was reported.</returns>
    public static DriftAlertRule? TryCompileDrift(AlertRuleOptions rule, LambdaCatalog catalog, Action<string, string> error)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(error);
        var failed = false;
        void Fail(string member, string text)
        {
            failed = true;
            error(member, text);
        }

        if (!NamePattern().IsMatch(rule.Name ?? string.Empty))
        {
            Fail(nameof(AlertRuleOptions.Name), $" '{rule.Name}' must be 1 to 100 letters, digits, '_', '-' or '.'.");
        }

        var view = string.IsNullOrEmpty(rule.View) ? null : rule.View;
        if (view is not null && !catalog.TryGetView(view, out _))
        {
            Fail(nameof(AlertRuleOptions.View), $" '{view}' is not a view of the catalog; the views are {string.Join(", ", catalog.Views.Select(v => v.Name))}.");
        }

        const string unused = " is not used by a drift rule (it fires while the last drift audit of the view found differences); leave it out.";
        if (!string.IsNullOrEmpty(rule.Measure))
        {
            Fail(nameof(AlertRuleOptions.Measure), unused);
        }

        if (!string.IsNullOrEmpty(rule.Filter))
        {
            Fail(nameof(AlertRuleOptions.Filter), unused);
        }

        if (!string.IsNullOrEmpty(rule.Where))
        {
            Fail(nameof(AlertRuleOptions.Where), unused);
        }

        if (rule.Window != TimeSpan.Zero)
        {
            Fail(nameof(AlertRuleOptions.Window), unused);
        }

        if (!string.IsNullOrEmpty(rule.Condition))
        {
            Fail(nameof(AlertRuleOptions.Condition), unused);
        }

        if (rule.Threshold is not null)
        {
            Fail(nameof(AlertRuleOptions.Threshold), unused);
        }

        if (rule.GroupBy is { Count: > 0 })
        {
            Fail(nameof(AlertRuleOptions.GroupBy), unused);
        }

        return failed ? null : new DriftAlertRule(rule.Name!, view);
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

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();
}
