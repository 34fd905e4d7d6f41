using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Lambda.ServingLayer.Drift;

/// <summary>The parameters of <c>GET /api/admin/drift</c>, bound with <c>[AsParameters]</c> (text: the handler names a bad one in its 400).</summary>
public sealed record DriftRequest
{
    /// <summary>Only this view (a catalog view); default every view.</summary>
    [FromQuery(Name = "view")]
    [Description("Only this view of the catalog; default every view.")]
    public string? View { get; init; }

    /// <summary>Only differences whose bucket starts at or after this UTC instant.</summary>
    [FromQuery(Name = "from")]
    [Description("Only differences whose bucket starts at or after this instant: ISO-8601 with an offset (2026-11-25T10:00:00Z), a date or epoch milliseconds.")]
    public string? From { get; init; }

    /// <summary>Only differences whose bucket starts before this UTC instant.</summary>
    [FromQuery(Name = "to")]
    [Description("Only differences whose bucket starts before this instant (exclusive), same forms as from.")]
    public string? To { get; init; }

    /// <summary>The most audits and the most differences listed (1..1000, default 100).</summary>
    [FromQuery(Name = "limit")]
    [Description("Most audits and most differences listed, newest audit first: an integer from 1 to 1000; default 100.")]
    public string? Limit { get; init; }
}
