using Lambda.Shared.Events;
using Lambda.Shared.SpeedViews;

namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>One stored row (states serialised, as ClickHouse would keep them).</summary>
internal sealed record StoredRow(
    SpeedRowKind Kind, int Partition, long FirstOffset, long LastOffset, long Bucket, FieldValue[] Dimensions, byte[][]? States);
