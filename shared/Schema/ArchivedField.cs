namespace Lambda.Shared.Schema;

/// <summary>A declared field as the master dataset has archived it (see <see cref="ArchivedSchema"/>).</summary>
/// <param name="Name">The field name (the Parquet column name).</param>
/// <param name="Type">The catalog spelling of its type, e.g. <c>decimal(18,2)</c>.</param>
/// <param name="Optional">True when archived as optional: archived rows may hold null for it.</param>
/// <param name="Default">The catalog spelling of its default when it had one, else null.</param>
public sealed record ArchivedField(string Name, string Type, bool Optional, string? Default);
