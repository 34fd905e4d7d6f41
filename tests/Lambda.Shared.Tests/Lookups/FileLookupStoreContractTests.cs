using Lambda.Shared.Lookups;

namespace Lambda.Shared.Tests.Lookups;

/// <summary>The lookup-store contract on the local kind (<see cref="FileLookupStore"/>).</summary>
public sealed class FileLookupStoreContractTests : LookupStoreContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookups-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    protected override Task<(ILookupReader Reader, ILookupPublisher Publisher)> OpenAsync()
    {
        var store = new FileLookupStore(_root, TimeProvider.System);
        return Task.FromResult<(ILookupReader, ILookupPublisher)>((store, store));
    }
}
