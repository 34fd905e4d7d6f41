using System.Diagnostics;
using Lambda.Shared.BatchViews;
using Lambda.Shared.Catalog;
using Lambda.Shared.SpeedViews;

namespace Lambda.BatchLayer.Drift;

/// <summary>One view's audit between planning its ranges and comparing: what <see cref="DriftAuditor"/> groups by source and ranges.</summary>
/// <param name="View">The view.</param>
/// <param name="Current">Its entry in the manifest just published.</param>
/// <param name="Ranges">The audited offsets per partition (empty when <paramref name="Error"/> is set).</param>
/// <param name="Clock">Started when the view's audit began.</param>
/// <param name="Error">Why its ranges could not be found; null when they were.</param>
internal sealed record PendingAudit(
    ViewDefinition View, BatchViewEntry Current, IReadOnlyDictionary<int, SpeedOffsetRange> Ranges, Stopwatch Clock, Exception? Error);
