using Lambda.Shared.Catalog;

namespace Lambda.Shared.Tests.Events;

/// <summary>A source with optional fields (with and without a default) and a view over them.</summary>
internal static class OptionalOrders
{
    public static ViewDefinition ByChannel { get; } = CatalogLoader.Parse("""
        sources:
          orders:
            topic: orders
            time: ts
            fields:
              order_id: string
              channel: string?
              tries: long? = 3
              fee: decimal(18,2)?
        views:
          by_channel:
            source: orders
            granularity: hour
            dimensions: [channel]
            measures: { n: count, fees: sum(fee), fee_max: max(fee), tries: sum(tries) }
        """).GetView("by_channel");

    public static SourceDefinition Source => ByChannel.Source;
}
