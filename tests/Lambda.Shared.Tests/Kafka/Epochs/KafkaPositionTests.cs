using Lambda.Shared.Kafka.Epochs;

namespace Lambda.Shared.Tests.Kafka.Epochs;

public sealed class KafkaPositionTests
{
    [Fact]
    public void Epoch_zero_positions_are_the_Kafka_offsets()
    {
        Assert.Equal(0L, KafkaPosition.Encode(0, 0));
        Assert.Equal(123_456L, KafkaPosition.Encode(0, 123_456));
        Assert.Equal("123456", KafkaPosition.Format(123_456));
    }

    [Fact]
    public void A_later_epoch_sorts_after_every_offset_of_an_earlier_one()
    {
        // 2^44 = 17,592,186,044,416: epoch 1 offset 0 is that position.
        Assert.Equal(17_592_186_044_416L, KafkaPosition.Encode(1, 0));
        Assert.True(KafkaPosition.Encode(1, 0) > KafkaPosition.Encode(0, KafkaPosition.MaxOffset));
        Assert.True(KafkaPosition.Encode(3, 5) > KafkaPosition.Encode(2, 1_000_000));
    }

    [Theory]
    [InlineData(0, 0L)]
    [InlineData(1, 17L)]
    [InlineData(7, 17_592_186_044_415L)]
    [InlineData(524_287, 99L)]
    public void Epoch_and_offset_come_back_out(int epoch, long offset)
    {
        var position = KafkaPosition.Encode(epoch, offset);

        Assert.Equal(epoch, KafkaPosition.EpochOf(position));
        Assert.Equal(offset, KafkaPosition.OffsetOf(position));
        Assert.True(position >= 0);
    }

    [Fact]
    public void Later_epochs_format_with_their_number()
    {
        Assert.Equal("e2:40", KafkaPosition.Format(KafkaPosition.Encode(2, 40)));
    }

    [Theory]
    [InlineData(-1, 0L)]
    [InlineData(524_288, 0L)]
    [InlineData(0, -1L)]
    [InlineData(0, 17_592_186_044_416L)]
    public void Refuses_what_does_not_fit(int epoch, long offset)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KafkaPosition.Encode(epoch, offset));
    }
}
