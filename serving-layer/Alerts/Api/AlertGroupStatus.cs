namespace Lambda.ServingLayer.Alerts.Api;

/// <summary>One firing group of a grouped rule.</summary>
/// <param name="Group">The group's dimension values.</param>
/// <param name="State"><c>firing</c>.</param>
/// <param name="Value">The group's last value.</param>
/// <param name="Since">Since when the group fires.</param>
public sealed record AlertGroupStatus(IReadOnlyDictionary<string, string?> Group, string State, double? Value, DateTimeOffset Since);
