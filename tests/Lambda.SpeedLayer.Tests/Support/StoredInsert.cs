namespace Lambda.SpeedLayer.Tests.Support;

/// <summary>One successful insert.</summary>
internal sealed record StoredInsert(IReadOnlyList<StoredRow> Rows);
