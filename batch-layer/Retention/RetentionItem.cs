namespace Lambda.BatchLayer.Retention;

/// <summary>An item under <c>views/</c> that the current manifest does not name.</summary>
/// <param name="Path">Relative to the dataset root, '/' separators (e.g. <c>views/v/0123abcd/run=r1</c>).</param>
/// <param name="Kind">What it is.</param>
/// <param name="UnnamedSince">Since when no manifest names it (UTC; for a temporary file, its last write).</param>
/// <param name="Action">What the pass did with it.</param>
/// <param name="Bytes">Size of its files (0 when kept).</param>
public sealed record RetentionItem(string Path, RetentionItemKind Kind, DateTimeOffset UnnamedSince, RetentionAction Action, long Bytes);
