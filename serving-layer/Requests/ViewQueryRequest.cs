using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;

namespace Lambda.ServingLayer.Requests;

/// <summary>
/// The parameters of <c>GET /api/views/{view}</c>, bound with <c>[AsParameters]</c> and turned into a query by
/// <see cref="Querying.ViewQueryParser"/>; the OpenAPI document describes them from here. Values stay text
/// (no typed binding) so that every bad value is a 400 problem naming the parameter, which failed framework
/// binding would answer without a name.
/// </summary>
public sealed record ViewQueryRequest
{
    /// <summary>The view's name.</summary>
    [FromRoute(Name = "view")]
    [Description("The view's name (GET /api/views lists the catalog).")]
    public string View { get; init; } = string.Empty;

    /// <summary>Start of the range (inclusive).</summary>
    [FromQuery(Name = "from")]
    [Required]
    [Description("Start of the range (inclusive), UTC: ISO-8601 with an offset (2026-11-25T10:00:00Z), a date (2026-11-25) or epoch ms. Must be on a bucket boundary of the view's granularity.")]
    public string? From { get; init; }

    /// <summary>End of the range (exclusive).</summary>
    [FromQuery(Name = "to")]
    [Required]
    [Description("End of the range (exclusive), same forms as 'from'; after 'from'.")]
    public string? To { get; init; }

    /// <summary>Bucket width of the rows. Default: the view's own.</summary>
    [FromQuery(Name = "granularity")]
    [AllowedValues("minute", "hour", "day", "all")]
    [Description("minute, hour, day or all; default the view's own. Finer than the view's is a 400. Coarser buckets at the range's edges hold only the part inside [from, to).")]
    public string? Granularity { get; init; }

    /// <summary>Dimensions of the rows. Default (absent): every dimension; empty: none.</summary>
    [FromQuery(Name = "group_by")]
    [Description("Comma-separated dimensions of the view; absent = every dimension, empty = none (totals).")]
    public string? GroupBy { get; init; }

    /// <summary>Dimension conditions (<c>dim:value</c> items). Default: none.</summary>
    [FromQuery(Name = "filter")]
    [Description("Comma-separated dim:value items, may repeat: values of one dimension are alternatives (country:US,country:DE), different dimensions must all match. Escape ',' and '\\' in a value with '\\'.")]
    public string[]? Filter { get; init; }

    /// <summary>Most rows returned. Default: <c>Serving:MaxQueryRows</c>.</summary>
    [FromQuery(Name = "limit")]
    [RegularExpression("^[0-9]+$")]
    [Description("Most rows returned (1..Serving:MaxQueryRows, which is also the default); rows are ordered by bucket, then dimension values.")]
    public string? Limit { get; init; }

    /// <summary>A condition in the catalog's expression language over the view's dimensions. Default: none.</summary>
    [FromQuery(Name = "where")]
    [Description("A condition over the view's dimensions in the catalog's expression language, e.g. country IN ('US','DE') AND device != 'bot'.")]
    public string? Where { get; init; }

    /// <summary>Quantiles every <c>quantiles(f)</c> measure answers with. Default: p50, p90, p95, p99.</summary>
    [FromQuery(Name = "quantiles")]
    [Description("Comma-separated quantiles from 0 to 1 (at most 20) that every quantiles(f) measure answers with, e.g. 0.5,0.999 (keys p50, p99.9); default p50, p90, p95, p99.")]
    public string? Quantiles { get; init; }

    /// <summary>A sliding window: each row holds the measures over the trailing window ending with its bucket's end. Default: none.</summary>
    [FromQuery(Name = "window")]
    [Description("A trailing window per row: each bucket's row holds the measures over [bucket end - window, bucket end), merged exactly from the stored buckets "
        + "(distinct counts and quantiles included); a group has a row wherever its window holds data. 15m, 2h, 1d or an ISO-8601 duration (PT15M, P1D); "
        + "a whole number of the granularity's buckets (not with granularity=all), at most Serving:Limits:MaxWindowBuckets of them; 'from' and 'to' on the "
        + "granularity's boundaries. The range limit counts the buckets read before 'from'.")]
    public string? Window { get; init; }
}
