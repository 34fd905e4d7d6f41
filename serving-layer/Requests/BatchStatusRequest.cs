using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Lambda.ServingLayer.Requests;

/// <summary>The parameters of <c>GET /api/admin/batch/status</c>, bound with <c>[AsParameters]</c>.</summary>
public sealed record BatchStatusRequest
{
    /// <summary>The most runs listed (1..1000). Default: <c>Serving:StatusRunCount</c>.</summary>
    // Text, not int: the handler names the parameter in its 400 answer, which failed framework binding would not.
    [FromQuery(Name = "limit")]
    [Description("Most runs listed, newest first: an integer from 1 to 1000; default Serving:StatusRunCount.")]
    public string? Limit { get; init; }
}
