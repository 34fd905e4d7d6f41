namespace Lambda.BatchLayer.Tests.Scheduling;

/// <summary>
/// Tests that start hosts with Hangfire run one at a time: Hangfire keeps part of its configuration
/// (serializer, log provider, dashboard renderers) in process-wide statics.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HangfireCollection
{
    public const string Name = "hangfire";
}
