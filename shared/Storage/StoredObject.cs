namespace Lambda.Shared.Storage;

/// <summary>One object of an <see cref="IObjectStore"/>: its key (relative to the store's root or prefix) and size in bytes.</summary>
public sealed record StoredObject(string Key, long Size);
