namespace Lambda.Shared.SpeedViews;

/// <summary>The speed table a view writes to after start-up, and whether its definition changed.</summary>
/// <param name="View">The view name.</param>
/// <param name="Version">The current version (8 hex digits of the definition hash).</param>
/// <param name="Table">The current table, <c>speed_&lt;view&gt;_&lt;version&gt;</c>.</param>
/// <param name="PreviousVersion">The latest version recorded before, when it differs from <paramref name="Version"/>; otherwise null.</param>
/// <param name="PreviousTable">The table of <paramref name="PreviousVersion"/> (left untouched), or null.</param>
public sealed record SpeedTableVersion(string View, string Version, string Table, string? PreviousVersion, string? PreviousTable)
{
    /// <summary>True when the view's definition differs from the latest recorded one (a new table version was started).</summary>
    public bool DefinitionChanged => PreviousVersion is not null;
}
