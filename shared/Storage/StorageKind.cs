namespace Lambda.Shared.Storage;

/// <summary>Where the platform's files live (<c>Storage:Kind</c>; configuration binds the names case-insensitively).</summary>
public enum StorageKind
{
    /// <summary>A local directory: <c>Batch:DatasetRoot</c>, the layout the platform always had.</summary>
    Local,

    /// <summary>An S3-compatible object store: <c>Storage:ServiceUrl</c>, <c>Storage:Bucket</c>, <c>Storage:Prefix</c>.</summary>
    S3,
}
