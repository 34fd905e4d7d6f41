using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>The parameters of <c>GET /api/alerts/{name}/history</c>, bound with <c>[AsParameters]</c>.</summary>
public sealed record AlertHistoryRequest
{
    /// <summary>The most transitions listed (1..1000, default 100).</summary>
    // Text, not int: the handler names the parameter in its 400 answer, which failed framework binding would not.
    [FromQuery(Name = "limit")]
    [Description("Most transitions listed, newest first: an integer from 1 to 1000; default 100.")]
    public string? Limit { get; init; }

    /// <summary>Only transitions before this: a <c>sequence</c> (from <c>next_before</c>) or a UTC instant.</summary>
    [FromQuery(Name = "before")]
    [Description("Only older transitions: a sequence number (the answer's next_before) or a UTC instant such as 2026-11-25T10:00:00Z.")]
    public string? Before { get; init; }
}
