namespace Lambda.Shared.BatchViews;

/// <summary>An object under <c>views/</c> of an object store that no manifest a reader may still hold names.</summary>
/// <param name="Key">The object's key (root-relative, like the manifest's file paths).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="UnnamedSince">When the newest manifest naming it was superseded (UTC); for an object no committed
/// manifest names (left by a publish killed before its commit), when it was written.</param>
public sealed record UnnamedViewObject(string Key, long Size, DateTimeOffset UnnamedSince);
