using Lambda.Shared.BatchViews;
using Lambda.Shared.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lambda.Shared.Schema;

/// <summary>
/// Refuses to start a host whose catalog is not compatible with the archived master dataset
/// (<see cref="ArchivedSchemaStore.CheckAsync"/> against the storage's records, inferring from <c>Batch:DatasetRoot</c>): registered before the workers, so the
/// host stops with a <see cref="SchemaIncompatibleException"/> naming each source, field and change before anything
/// consumes or recomputes.
/// </summary>
public sealed class SchemaCompatibilityCheck(Catalog.Catalog catalog, IOptions<BatchStorageOptions> storage, IObjectStore store) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) =>
        ArchivedSchemaStore.CheckAsync(store, storage.Value.ResolveRoot(), catalog.Sources, cancellationToken);

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
