namespace Lambda.Shared.BatchViews;

/// <summary>
/// A manifest store whose published files and manifests live outside the dataset root (the s3 kind): the part the
/// batch layer's retention asks which objects are unnamed and to delete them, so the listing stays in the store.
/// </summary>
public interface IStoredViewsRetention
{
    /// <summary>
    /// Every object under <c>views/</c> that neither the current manifest nor a manifest superseded less than
    /// <paramref name="grace"/> before <paramref name="now"/> names (a manifest names its day files and its own object).
    /// </summary>
    /// <exception cref="InvalidDataException">A manifest a reader may still hold is missing or unreadable: nothing may be deleted.</exception>
    Task<IReadOnlyList<UnnamedViewObject>> ListUnnamedAsync(DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the commit rows of the manifests superseded at or before <paramref name="supersededBy"/> (never the current
    /// one), so that their objects count as unnamed from now on; call it before deleting those objects.
    /// </summary>
    Task ForgetManifestsSupersededByAsync(DateTimeOffset supersededBy, CancellationToken cancellationToken);

    /// <summary>Deletes one object <see cref="ListUnnamedAsync"/> returned.</summary>
    Task DeleteObjectAsync(string key, CancellationToken cancellationToken);
}
