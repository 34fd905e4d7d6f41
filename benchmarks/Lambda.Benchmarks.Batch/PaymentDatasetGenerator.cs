using Lambda.Shared.Catalog;

namespace Lambda.Benchmarks.Batch;

/// <summary>
/// Writes a payments master dataset (the default catalog's <c>payments</c> source) with <see cref="DatasetGenerator"/>'s
/// writer loop: event times over the three days from <see cref="DatasetGenerator.Start"/> in offset order, currencies
/// <see cref="BenchmarkReferenceData"/>'s (one of them without any rate).
/// </summary>
internal static class PaymentDatasetGenerator
{
    private static readonly string[] Methods = ["card", "card", "paypal", "bank_transfer", "apple_pay"];

    public static Task<long> WriteAsync(string root, SourceDefinition payments, long events, int partitions, int perCommit, CancellationToken cancellationToken) =>
        DatasetGenerator.WriteAsync(root, payments, events, partitions, perCommit, seed: 2_000, cancellationToken, (record, ordinal, random, partition, offset, perPartition) =>
        {
            record.SetTimestamp((DatasetGenerator.InOffsetOrder(random, offset, perPartition) - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond);
            record.SetString(ordinal["payment_id"], $"p-{partition}-{offset}");
            record.SetString(ordinal["order_id"], $"o-{random.Next(1_000_000)}");
            record.SetString(ordinal["user_id"], $"u{random.Next(200_000)}");
            record.SetString(ordinal["method"], Methods[random.Next(Methods.Length)]);
            record.SetString(ordinal["currency"], BenchmarkReferenceData.PaymentCurrencies[random.Next(BenchmarkReferenceData.PaymentCurrencies.Length)]);
            record.SetDecimalUnscaled(ordinal["amount"], random.Next(1, 200_000));
            record.SetBool(ordinal["succeeded"], random.Next(10) < 9);
            record.SetLong(ordinal["latency_ms"], random.Next(20, 3_000));
        });
}
