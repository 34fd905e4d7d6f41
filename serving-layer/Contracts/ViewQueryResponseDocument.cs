using System.Text.Json;
using Lambda.Shared.BatchViews;

namespace Lambda.ServingLayer.Contracts;

/// <summary>
/// The shape of <c>GET /api/views/{view}</c>'s body, for the OpenAPI document (the body itself is written by
/// <see cref="Json.ViewQueryResultWriter"/>, which keeps decimal scales exact).
/// </summary>
/// <param name="View">The view.</param>
/// <param name="Granularity">minute, hour, day or all.</param>
/// <param name="Window">Only with the <c>window</c> parameter: its length in the short form (<c>15m</c>, <c>3h</c>, <c>1d</c>);
/// each row then holds the measures over the trailing window ending with its bucket's end.</param>
/// <param name="Rows">Per bucket and group: <c>bucket</c> (ISO-8601 UTC), the group-by dimensions, then every measure
/// (decimals with the source's scale, counts and distinct counts as integers, avg as a number, null when empty).</param>
/// <param name="Watermark">run_id and published_at of the batch run used (null run_id: none), definition_hash,
/// partitions (per partition the offset S_p below which events come from the batch view) and speed (per partition
/// the offset after the newest speed delta read).</param>
/// <param name="Complete">True when the answer holds every event of the view from offset 0 of every partition it knows of
/// (a published batch view of the current definition, or speed deltas from offset 0); false while a new or changed view's
/// history is being recomputed.</param>
/// <param name="CompleteFrom">Per partition, the offset from which the answer holds every event (0: all of it).</param>
public sealed record ViewQueryResponseDocument(
    string View,
    string Granularity,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Window,
    IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Rows,
    ViewWatermark Watermark,
    bool Complete,
    IReadOnlyDictionary<int, long> CompleteFrom);
