namespace Lambda.Shared.Storage;

/// <summary>
/// One object of an <see cref="IObjectStore"/>: its key (relative to the store's root or prefix), size in bytes and when
/// it was last written (UTC, by the store's clock: an object's age for cleanups of what a killed writer left).
/// </summary>
public sealed record StoredObject(string Key, long Size, DateTimeOffset LastModified);
