using Lambda.Shared.Kafka.Epochs;

namespace Lambda.Shared.Tests.Kafka.Epochs;

public sealed class EpochRulesTests
{
    private const string Topic = "orders";
    private static readonly DateTimeOffset At = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    private static OffsetEpoch Epoch(int number, string topicId = "id-a", Dictionary<int, long>? starts = null) =>
        new(Topic, number, topicId, starts ?? [], At, "test");

    private static Dictionary<int, StoredProgress> Stored(params (int Partition, long? Next)[] partitions) =>
        partitions.ToDictionary(p => p.Partition, p => StoredProgress.At(p.Next));

    private static Func<int, PartitionLog> Logs(params (int Partition, long Low, long High)[] logs) =>
        p => logs.Single(l => l.Partition == p) is var l ? new PartitionLog(l.Low, l.High) : default;

    [Fact]
    public void Same_topic_and_log_ahead_resumes_after_the_stored_offsets()
    {
        var decision = EpochRules.Decide(Epoch(0), "id-a", Stored((0, 100), (1, null)), Logs((0, 0, 150), (1, 0, 3)), false);

        Assert.Null(decision.NewEpochReason);
        Assert.Equal([new PartitionStart(0, 100), new PartitionStart(1, null)], decision.Starts);
    }

    [Fact]
    public void A_new_topic_id_begins_a_new_epoch_naming_both_ids()
    {
        var decision = EpochRules.Decide(Epoch(0, "id-a"), "id-b", Stored((0, 100)), Logs((0, 0, 500)), false);

        Assert.Contains("id-b", decision.NewEpochReason, StringComparison.Ordinal);
        Assert.Contains("id-a", decision.NewEpochReason, StringComparison.Ordinal);
        Assert.Empty(decision.Starts);
    }

    [Fact]
    public void A_log_behind_the_stored_offsets_stops_the_partition_naming_topic_partition_and_both_offsets()
    {
        var decision = EpochRules.Decide(Epoch(0), "id-a", Stored((0, 100), (1, 7)), Logs((0, 0, 40), (1, 0, 9)), false);

        Assert.Null(decision.NewEpochReason);
        var stopped = Assert.Single(decision.Starts, s => s.IsStopped);
        Assert.Equal(0, stopped.Partition);
        Assert.Contains("'orders' partition 0", stopped.StopReason, StringComparison.Ordinal);
        Assert.Contains("offset 40", stopped.StopReason, StringComparison.Ordinal);
        Assert.Contains("offset 100", stopped.StopReason, StringComparison.Ordinal);
        Assert.Equal(new PartitionStart(1, 7), decision.Starts.Single(s => s.Partition == 1));
        Assert.False(decision.AdoptTopicId);
    }

    [Fact]
    public void With_the_dev_broker_setting_a_log_behind_begins_a_new_epoch()
    {
        var decision = EpochRules.Decide(Epoch(2), "id-a", Stored((0, KafkaPosition.Encode(2, 100))), Logs((0, 0, 0)), true);

        Assert.Contains("below offset 100", decision.NewEpochReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Offsets_of_an_earlier_epoch_read_the_current_epoch_from_its_start()
    {
        var current = Epoch(3, starts: new Dictionary<int, long> { [0] = 25 });

        var decision = EpochRules.Decide(current, "id-a", Stored((0, KafkaPosition.Encode(2, 900)), (1, KafkaPosition.Encode(1, 5))), Logs(), false);

        Assert.Equal([new PartitionStart(0, 25), new PartitionStart(1, null)], decision.Starts);
    }

    [Fact]
    public void Offsets_the_broker_no_longer_holds_are_read_from_the_log_start()
    {
        var decision = EpochRules.Decide(Epoch(1), "id-a", Stored((0, KafkaPosition.Encode(1, 10))), Logs((0, 60, 80)), false);

        Assert.Equal([new PartitionStart(0, 60)], decision.Starts);
    }

    [Fact]
    public void A_view_behind_in_the_current_epoch_reads_from_its_own_offset_and_the_furthest_is_checked()
    {
        var stored = new Dictionary<int, StoredProgress>
        {
            [0] = new(KafkaPosition.Encode(1, 10), KafkaPosition.Encode(1, 90)),
            [1] = new(null, KafkaPosition.Encode(1, 50)),
            [2] = new(KafkaPosition.Encode(0, 10), KafkaPosition.Encode(1, 20)),
        };

        var ahead = EpochRules.Decide(Epoch(1), "id-a", stored, Logs((0, 0, 95), (1, 0, 60), (2, 0, 30)), false);
        var behind = EpochRules.Decide(Epoch(1), "id-a", stored, Logs((0, 0, 89), (1, 0, 60), (2, 0, 30)), false);

        Assert.Equal([new PartitionStart(0, 10), new PartitionStart(1, null), new PartitionStart(2, null)], ahead.Starts);
        Assert.True(behind.Starts.Single(s => s.Partition == 0).IsStopped);
    }

    [Fact]
    public void Stored_offsets_of_a_later_epoch_than_the_registry_knows_stop_the_partition()
    {
        var decision = EpochRules.Decide(Epoch(0), "id-a", Stored((0, KafkaPosition.Encode(1, 3))), Logs((0, 0, 10)), true);

        Assert.Contains("lost rows", Assert.Single(decision.Starts).StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_epoch_without_a_topic_id_adopts_the_brokers_once_the_offsets_fit()
    {
        var fits = EpochRules.Decide(Epoch(0, ""), "id-z", Stored((0, 10)), Logs((0, 0, 10)), false);
        var behind = EpochRules.Decide(Epoch(0, ""), "id-z", Stored((0, 10)), Logs((0, 0, 9)), false);
        var unknown = EpochRules.Decide(Epoch(0, ""), "", Stored((0, 10)), Logs((0, 0, 10)), false);

        Assert.True(fits.AdoptTopicId);
        Assert.False(behind.AdoptTopicId);
        Assert.False(unknown.AdoptTopicId);
    }
}
