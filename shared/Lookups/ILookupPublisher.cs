namespace Lambda.Shared.Lookups;

/// <summary>Publishes a new immutable version of a lookup (the admin endpoint, the batch-layer <c>lookup</c> command).</summary>
public interface ILookupPublisher
{
    /// <summary>
    /// Stores <paramref name="rows"/> as the next version of <paramref name="lookup"/> and makes it current. The rows
    /// replace the previous version's whole content; older versions stay as they are.
    /// </summary>
    /// <returns>The new version.</returns>
    Task<LookupTable> PublishAsync(LookupDefinition lookup, IReadOnlyList<LookupRow> rows, CancellationToken cancellationToken);
}
