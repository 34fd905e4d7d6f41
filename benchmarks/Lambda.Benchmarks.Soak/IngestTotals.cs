namespace Lambda.Benchmarks.Soak;

/// <summary>What the ingest driver has done so far.</summary>
/// <param name="Accepted">Events the API accepted (202, not in its per-record errors): the oracle counts them.</param>
/// <param name="Rejected">Events the API rejected one by one in a 202 (the soak sends only valid events: a failure).</param>
/// <param name="Refused">Requests answered 503 with Retry-After (back-pressure); their events were sent again.</param>
/// <param name="Uncertain">Events of requests whose outcome is unknown (error, timeout, 503 without Retry-After): they may or may not be stored.</param>
/// <param name="Failed">Events of requests refused as a whole with a 4xx (nothing stored).</param>
internal sealed record IngestTotals(long Accepted, long Rejected, long Refused, long Uncertain, long Failed);
