namespace Lambda.BatchLayer.Retention;

/// <summary>The kinds of items retention deletes.</summary>
public enum RetentionItemKind
{
    /// <summary>A run directory of a batch view, <c>views/&lt;view&gt;/&lt;hash8&gt;/run=&lt;runId&gt;</c>.</summary>
    Run,

    /// <summary>A temporary file an interrupted publish left in <c>views/</c> (<c>*.tmp</c> of the manifest or the retention record).</summary>
    TemporaryFile,

    /// <summary>
    /// An object under <c>views/</c> of the bucket (s3 kind) that no manifest a reader may still hold names: a day
    /// file or manifest of a superseded run, or one a publish killed before its commit uploaded.
    /// </summary>
    StoredObject,
}
