using Lambda.BatchLayer.Drift;

namespace Lambda.BatchLayer.Tests.Drift;

public sealed class DriftViewAuditTests
{
    [Fact]
    public void The_reference_version_names_each_joined_lookup_and_its_version_in_name_order()
    {
        var lookups = new Dictionary<string, long> { ["fx_rates"] = 12, ["countries"] = 3 };

        Assert.Equal("countries=v3,fx_rates=v12", DriftViewAudit.ReferenceVersionOf(lookups));
    }

    [Fact]
    public void A_view_without_lookups_has_no_reference_version()
    {
        Assert.Null(DriftViewAudit.ReferenceVersionOf(null));
        Assert.Null(DriftViewAudit.ReferenceVersionOf(new Dictionary<string, long>()));
    }

    [Fact]
    public void A_lookup_never_published_shows_as_version_zero()
    {
        Assert.Equal("countries=v0", DriftViewAudit.ReferenceVersionOf(new Dictionary<string, long> { ["countries"] = 0 }));
    }
}
