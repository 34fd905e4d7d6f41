namespace Lambda.Testing.Oracles;

/// <summary>
/// One row of a reference table as a test publishes it: the key's text, the first UTC day it is valid from (null for a
/// lookup that is not versioned) and its value columns' JSON text by name (null for a null cell).
/// </summary>
public sealed record OracleLookupRow(string Key, DateOnly? ValidFrom, IReadOnlyDictionary<string, string?> Values);
