namespace Lambda.Testing;

/// <summary>Where the stack's S3-protocol server listens, its bucket and its development key pair (see <see cref="StackEndpoints.S3"/>).</summary>
public sealed record S3Endpoint(Uri Url, string Bucket, string AccessKey, string SecretKey);
