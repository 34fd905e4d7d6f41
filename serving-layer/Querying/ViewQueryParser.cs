using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Lambda.ServingLayer.Configuration;
using Lambda.ServingLayer.Limits;
using Lambda.ServingLayer.Requests;
using Lambda.Shared.Catalog;
using Lambda.Shared.Events;
using Lambda.Shared.Time;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using LambdaCatalog = Lambda.Shared.Catalog.Catalog;

namespace Lambda.ServingLayer.Querying;

/// <summary>
/// Turns the bound parameters of <c>GET /api/views/{view}</c> (<see cref="ViewQueryRequest"/>) into a
/// <see cref="ViewQuery"/>, or into an error that names the parameter at fault. Names are only ever looked up in
/// the catalog, never passed on.
/// </summary>
/// <remarks>What each parameter takes and why ranges must be aligned: see docs/design-notes.md#query-parameters.</remarks>
public sealed class ViewQueryParser(LambdaCatalog catalog, IOptions<ServingOptions> options, IOptions<QueryLimitsOptions>? limits = null)
{
    /// <summary>Most quantiles one query may ask for.</summary>
    public const int MaxQuantiles = 20;

    internal const string ViewParameter = "view";
    internal const string From = "from";
    internal const string To = "to";
    internal const string GranularityParameter = "granularity";
    internal const string GroupBy = "group_by";
    internal const string Limit = "limit";
    internal const string QuantilesParameter = "quantiles";
    internal const string WindowParameter = "window";

    private readonly int _maxRows = options.Value.MaxQueryRows;

    private readonly QueryLimitsOptions _limits = limits?.Value ?? new QueryLimitsOptions();

    /// <summary>Parses the bound <paramref name="request"/>.</summary>
    /// <returns>True with <paramref name="query"/> set, or false with <paramref name="error"/> set.</returns>
    public bool TryCreateQuery(
        ViewQueryRequest request,
        [NotNullWhen(true)] out ViewQuery? query,
        [NotNullWhen(false)] out QueryParameterError? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        query = null;
        if (!catalog.TryGetView(request.View, out var view))
        {
            error = new QueryParameterError(
                ViewParameter,
                $"view '{Shorten(request.View)}' is not in the catalog; the views are {string.Join(", ", catalog.Views.Select(v => v.Name))}",
                StatusCodes.Status404NotFound);
            return false;
        }

        if (!TryParseInstant(request.From, From, view, out var from, out error)
            || !TryParseInstant(request.To, To, view, out var to, out error))
        {
            return false;
        }

        if (to <= from)
        {
            error = new QueryParameterError(To, $"'to' ({TimeBucket.ToIso(to)}) must be after 'from' ({TimeBucket.ToIso(from)}): the range is [from, to)");
            return false;
        }

        if (!TryParseGranularity(request.Granularity, view, out var granularity, out error)
            || !TryParseWindow(request.Window, new TimeRange(from, to), granularity, out var window, out error)
            || !WithinMaxRange(from, to, granularity, window, out error)
            || !TryParseGroupBy(request.GroupBy, view, out var groupBy, out error)
            || !DimensionFilterParser.TryParse(view, new StringValues(request.Filter), request.Where, out var filter, out error)
            || !TryParseLimit(request.Limit, out var limit, out error)
            || !TryParseQuantiles(request.Quantiles, out var quantiles, out error))
        {
            return false;
        }

        query = new ViewQuery(view, new TimeRange(from, to), granularity, groupBy, filter, limit, window) { Quantiles = quantiles };
        return true;
    }

    /// <summary>The window of <c>window=</c>, or null without one; see <see cref="TrailingWindow"/> and docs/design-notes.md#query-parameters.</summary>
    private bool TryParseWindow(
        string? text, TimeRange range, QueryGranularity granularity, out TrailingWindow? window, [NotNullWhen(false)] out QueryParameterError? error)
    {
        window = null;
        error = null;
        if (text is null)
        {
            return true;
        }

        if (!WindowLengthText.TryParse(text, out var length))
        {
            error = new QueryParameterError(WindowParameter, $"'window' = '{Shorten(text)}' is not a window length: give {WindowLengthText.Forms}");
            return false;
        }

        if (granularity.ToTimeGranularityOrNull() is not { } buckets)
        {
            error = new QueryParameterError(
                WindowParameter, "'window' slides over the rows' buckets; granularity=all has one row per group: ask for minute, hour or day buckets");
            return false;
        }

        if (!TrailingWindow.TryCreate(length, buckets, out window, out var reason))
        {
            error = new QueryParameterError(WindowParameter, $"'window' = '{Shorten(text)}': {reason}; the window counts the rows' {buckets.ToName()} buckets");
            return false;
        }

        if (!range.IsAlignedTo(buckets))
        {
            error = new QueryParameterError(
                WindowParameter,
                $"'window' needs 'from' and 'to' on {buckets.ToName()} boundaries (granularity={buckets.ToName()}) so that every row's window ends with a whole bucket; "
                + $"the range {range} is not (e.g. {range.AlignOutward(buckets)})");
            window = null;
            return false;
        }

        var max = _limits.MaxWindowBuckets;
        if (window.Buckets > max)
        {
            var setting = QueryLimitsOptions.Key(nameof(QueryLimitsOptions.MaxWindowBuckets));
            error = new QueryParameterError(
                WindowParameter,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"'window' = '{Shorten(text)}' holds {window.Buckets} {buckets.ToName()} buckets; a window may hold at most {max} (setting {setting}): ask for a coarser granularity or a shorter window"),
                Limit: "window",
                Setting: setting);
            window = null;
            return false;
        }

        return true;
    }

    private bool WithinMaxRange(long from, long to, QueryGranularity granularity, TrailingWindow? window, [NotNullWhen(false)] out QueryParameterError? error)
    {
        error = null;

        // A window reads its buckets before 'from' too: they count.
        var read = window?.ReadRange(new TimeRange(from, to)) ?? new TimeRange(from, to);
        var span = TimeSpan.FromMilliseconds(read.EndMilliseconds - read.StartMilliseconds);
        var max = _limits.MaxRangeOf(granularity);
        if (span <= max)
        {
            return true;
        }

        var setting = QueryLimitsOptions.MaxRangeSetting(granularity);
        var extended = window is null ? string.Empty : $" (with the {window.Buckets - 1} buckets before 'from' that 'window' = {window} reads)";
        error = new QueryParameterError(
            To,
            $"'to': the range [{TimeBucket.ToIso(from)}, {TimeBucket.ToIso(to)}){extended} spans {Describe(span)}; a query per {granularity.ToName()} may span at most "
            + $"{Describe(max)} (setting {setting}): ask for a coarser granularity or split the range",
            Limit: "range",
            Setting: setting);
        return false;
    }

    private static string Describe(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerDay == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0} days")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.##} hours");

    private static bool TryParseInstant(
        string? value, string name, ViewDefinition view, out long epochMilliseconds, [NotNullWhen(false)] out QueryParameterError? error)
    {
        epochMilliseconds = 0;
        var text = (value ?? string.Empty).Trim();
        if (text.Length == 0)
        {
            error = new QueryParameterError(
                name,
                $"'{name}' is required: the {(name == From ? "start (inclusive)" : "end (exclusive)")} of the range, ISO-8601 UTC, e.g. 2026-11-25T10:00:00Z");
            return false;
        }

        if (!TryParseInstant(text, out epochMilliseconds))
        {
            error = new QueryParameterError(
                name,
                $"'{name}' = '{Shorten(text)}' is not an ISO-8601 instant with an offset (2026-11-25T10:00:00Z), a date (2026-11-25) or epoch milliseconds");
            return false;
        }

        if (!TimeBucket.IsAligned(epochMilliseconds, view.Granularity))
        {
            error = new QueryParameterError(
                name,
                $"'{name}' = {TimeBucket.ToIso(epochMilliseconds)} is not on a {view.Granularity.ToName()} boundary; view '{view.Name}' is stored per "
                + $"{view.Granularity.ToName()}, so the range must start and end on {view.Granularity.ToName()} boundaries "
                + $"(e.g. {TimeBucket.ToIso(TimeBucket.Floor(epochMilliseconds, view.Granularity))})");
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>An ISO-8601 instant with an offset, a date (its UTC midnight) or epoch milliseconds; the query API's reading of <c>from</c>/<c>to</c>.</summary>
    internal static bool TryParseInstant(string text, out long epochMilliseconds)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            epochMilliseconds = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
            return true;
        }

        if (FieldValue.TryParse(text, FieldType.Timestamp, out var value))
        {
            epochMilliseconds = value.AsTimestampMilliseconds();
            return true;
        }

        epochMilliseconds = 0;
        return false;
    }

    private static bool TryParseGranularity(
        string? text, ViewDefinition view, out QueryGranularity granularity, [NotNullWhen(false)] out QueryParameterError? error)
    {
        error = null;
        granularity = view.Granularity.ToQueryGranularity();
        if (text is null)
        {
            return true;
        }

        if (!QueryGranularityExtensions.TryParse(text, out granularity))
        {
            error = new QueryParameterError(
                GranularityParameter,
                $"'granularity' = '{Shorten(text)}' is not one of {string.Join(", ", QueryGranularityExtensions.Names)}");
            return false;
        }

        if (!view.Granularity.CanServe(granularity))
        {
            var allowed = QueryGranularityExtensions.Names.Where(n => QueryGranularityExtensions.TryParse(n, out var g) && view.Granularity.CanServe(g));
            error = new QueryParameterError(
                GranularityParameter,
                $"'granularity' = '{granularity.ToName()}' is finer than view '{view.Name}', which is stored per {view.Granularity.ToName()}; use {string.Join(", ", allowed)}");
            return false;
        }

        return true;
    }

    private static bool TryParseGroupBy(
        string? text, ViewDefinition view, out IReadOnlyList<int> groupBy, [NotNullWhen(false)] out QueryParameterError? error)
    {
        error = null;
        if (text is null)
        {
            groupBy = Enumerable.Range(0, view.Dimensions.Count).ToArray();
            return true;
        }

        var indexes = new List<int>();
        groupBy = indexes;
        if (text.Trim().Length == 0)
        {
            return true;
        }

        foreach (var part in text.Split(','))
        {
            var name = part.Trim();
            var index = view.IndexOfDimension(name);
            if (index < 0)
            {
                error = new QueryParameterError(
                    GroupBy,
                    name.Length == 0
                        ? $"'group_by' = '{Shorten(text)}' has an empty entry"
                        : $"'group_by' names '{Shorten(name)}', which is not a dimension of view '{view.Name}'; its dimensions are {DimensionList(view)}");
                return false;
            }

            if (indexes.Contains(index))
            {
                error = new QueryParameterError(GroupBy, $"'group_by' names '{name}' twice");
                return false;
            }

            indexes.Add(index);
        }

        return true;
    }

    private bool TryParseLimit(string? value, out int limit, [NotNullWhen(false)] out QueryParameterError? error)
    {
        error = null;
        limit = _maxRows;
        if (value is null)
        {
            return true;
        }

        var text = value.Trim();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > _maxRows)
        {
            error = new QueryParameterError(Limit, $"'limit' = '{Shorten(text)}' must be an integer from 1 to {_maxRows.ToString(CultureInfo.InvariantCulture)}");
            return false;
        }

        return true;
    }

    private static bool TryParseQuantiles(string? raw, out IReadOnlyList<double> quantiles, [NotNullWhen(false)] out QueryParameterError? error)
    {
        error = null;
        quantiles = Shared.Measures.QuantileValue.Defaults;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }

        var text = raw;
        var parsed = new List<double>();
        foreach (var part in text.Split(','))
        {
            var item = part.Trim();
            if (!double.TryParse(item, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) || !(q >= 0 && q <= 1))
            {
                error = new QueryParameterError(
                    QuantilesParameter,
                    $"'quantiles' = '{Shorten(text)}': '{Shorten(item)}' is not a quantile; give comma-separated numbers from 0 to 1, e.g. 0.5,0.999");
                return false;
            }

            if (!parsed.Contains(q))
            {
                parsed.Add(q);
            }
        }

        if (parsed.Count > MaxQuantiles)
        {
            error = new QueryParameterError(QuantilesParameter, $"'quantiles' asks for {parsed.Count} quantiles; at most {MaxQuantiles} are allowed");
            return false;
        }

        quantiles = parsed;
        return true;
    }

    internal static string DimensionList(ViewDefinition view) =>
        view.Dimensions.Count == 0 ? "(none)" : string.Join(", ", view.Dimensions.Select(d => d.Name));

    /// <summary>Caps echoed user input so an error message stays readable.</summary>
    internal static string Shorten(string? text)
    {
        text ??= string.Empty;
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
    }
}
