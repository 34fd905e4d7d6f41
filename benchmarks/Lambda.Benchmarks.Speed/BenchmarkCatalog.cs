namespace Lambda.Benchmarks.Speed;

/// <summary>
/// The catalog the benchmarked speed layer runs: the platform's reference source <c>orders</c> and its two
/// default views, once per benchmark topic (throughput and freshness phases use separate topics).
/// </summary>
internal static class BenchmarkCatalog
{
    public static string Yaml(string throughputTopic, string freshnessTopic) => $"""
        sources:
        {Source("orders_t", throughputTopic)}
        {Source("orders_f", freshnessTopic)}
        views:
        {Views("orders_t", "t")}
        {Views("orders_f", "f")}
        """;

    private static string Source(string name, string topic) => $"""
          {name}:
            topic: {topic}
            time: ts
            key: user_id
            fields:
              order_id: string
              user_id: string
              country: string
              amount: decimal(18,2)
              status: string
        """;

    private static string Views(string source, string suffix) => $"""
          revenue_by_country_{suffix}:
            source: {source}
            where: status = 'paid'
            granularity: minute
            dimensions: [country]
            measures: {"{"} orders: count, revenue: sum(amount), biggest: max(amount), buyers: distinct(user_id) {"}"}
          orders_by_status_{suffix}:
            source: {source}
            granularity: hour
            dimensions: [status]
            measures: {"{"} orders: count, amount: sum(amount), avg_amount: avg(amount), customers: distinct(user_id) {"}"}
        """;
}
