using Lambda.Shared.BatchViews;

namespace Lambda.ServingLayer.Querying;

/// <summary>The answer to a <see cref="ViewQuery"/>.</summary>
/// <param name="Query">The query.</param>
/// <param name="Rows">Rows ordered by bucket, then by dimension values; at most <see cref="ViewQuery.Limit"/>.</param>
/// <param name="Watermark">The watermark the batch and speed parts were merged at.</param>
public sealed record ViewQueryResult(ViewQuery Query, IReadOnlyList<ResultRow> Rows, ViewWatermark Watermark)
{
    /// <summary>Distinct groups (dimension values) in the whole answer, also beyond <see cref="ViewQuery.Limit"/> rows.</summary>
    public int GroupCount { get; init; }

    /// <summary>From which offset per partition the answer holds every event (<see cref="ViewCoverage"/>).</summary>
    public ViewCoverage Coverage { get; init; } = ViewCoverage.Unknown;

    /// <summary>
    /// Groups the computation of this answer merged, on the answer handed to the caller that started it; 0 on an answer
    /// shared with an earlier caller. What the caller's key is charged (<c>Serving:Limits:GroupsPerSecond</c>).
    /// </summary>
    public long GroupsComputed { get; init; }

    /// <summary>Set on an answer several responses share: its JSON body, rendered once and reused.</summary>
    internal Json.RenderedBody? Rendered { get; init; }

    /// <summary>What a refresh of the same query may start from (<see cref="ViewQueryEngine"/>).</summary>
    internal ResultBasis? Basis { get; init; }
}
