namespace Lambda.Shared.Storage;

/// <summary>
/// Where the lookups (and, as they move, the other files of the dataset root) are stored: configuration section
/// <c>Storage</c>, environment <c>Storage__Kind</c>, <c>Storage__ServiceUrl</c>, ... (README: "Object storage").
/// The local kind keeps everything under <c>Batch:DatasetRoot</c>, byte for byte as before; the s3 kind stores
/// objects under <c>&lt;Prefix&gt;</c> in <c>&lt;Bucket&gt;</c> and keeps commit points in PostgreSQL
/// (<c>ConnectionStrings:Postgres</c>), because S3 has no rename and no conditional write to commit with.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Storage";

    /// <summary>Which store. Default <see cref="StorageKind.Local"/>.</summary>
    public StorageKind Kind { get; init; } = StorageKind.Local;

    /// <summary>
    /// The S3 endpoint, e.g. <c>http://127.0.0.1:14568</c> for the local stack's server. Default none: the AWS endpoint
    /// of <see cref="Region"/>.
    /// </summary>
    public string? ServiceUrl { get; init; }

    /// <summary>The signing region. Default <c>us-east-1</c> (what S3-compatible servers expect when they ignore it).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The bucket (required for the s3 kind; it must exist).</summary>
    public string? Bucket { get; init; }

    /// <summary>
    /// A key prefix under which every object lives, so several deployments can share a bucket. Default empty; when set it
    /// ends in <c>/</c> (the validator says so) and must not start with one.
    /// </summary>
    public string Prefix { get; init; } = "";

    /// <summary>
    /// Path-style addresses (<c>http://host/bucket/key</c>) instead of virtual-host ones. Default true: local and most
    /// self-hosted servers have no per-bucket DNS names.
    /// </summary>
    public bool ForcePathStyle { get; init; } = true;

    /// <summary>
    /// The access key id. Default none: then <see cref="CredentialsFile"/>, else the SDK's own chain (the
    /// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c> environment variables, profiles, instance roles). Set it
    /// through the environment (<c>Storage__AccessKey</c>), never in a committed settings file.
    /// </summary>
    public string? AccessKey { get; init; }

    /// <summary>
    /// How old a master-dataset object that no commit row names must be before an archiver's recovery deletes it (what a
    /// killed writer uploaded). A writer that has not committed within half of it gives up, so an object a live writer may
    /// still commit is never deleted. Default 10 minutes; must be positive.
    /// </summary>
    public TimeSpan UncommittedObjectGrace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The secret key that goes with <see cref="AccessKey"/> (<c>Storage__SecretKey</c>).</summary>
    public string? SecretKey { get; init; }

    /// <summary>
    /// A file holding the key pair in the AWS shared-credentials syntax (<c>aws_access_key_id = ...</c> and
    /// <c>aws_secret_access_key = ...</c> lines), e.g. a mounted secret. Default none. Ignored when
    /// <see cref="AccessKey"/> is set.
    /// </summary>
    public string? CredentialsFile { get; init; }
}
