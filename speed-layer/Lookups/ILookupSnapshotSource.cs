using Lambda.Shared.Lookups;

namespace Lambda.SpeedLayer.Lookups;

/// <summary>The lookup versions the speed layer joins with right now.</summary>
public interface ILookupSnapshotSource
{
    /// <summary>The newest versions read from the store (empty before the first read or without lookups).</summary>
    LookupSnapshot Current { get; }
}
