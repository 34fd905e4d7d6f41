using Lambda.Shared.Kafka.Epochs;

namespace Lambda.Shared.Tests.Kafka.Epochs;

public sealed class OffsetEpochTextTests
{
    [Fact]
    public void Start_offsets_round_trip_in_partition_order()
    {
        var text = OffsetEpochText.FormatStartOffsets(new Dictionary<int, long> { [3] = 40, [0] = 12 });

        Assert.Equal("0:12,3:40", text);
        Assert.Equal(new Dictionary<int, long> { [0] = 12, [3] = 40 }, OffsetEpochText.ParseStartOffsets(text));
        Assert.Empty(OffsetEpochText.ParseStartOffsets(""));
    }

    [Theory]
    [InlineData("0:1,0:2")]
    [InlineData("x:1")]
    [InlineData("1:-5")]
    [InlineData("1")]
    public void Refuses_malformed_pairs_naming_them(string text)
    {
        var error = Assert.Throws<FormatException>(() => OffsetEpochText.ParseStartOffsets(text));

        Assert.Contains(text.Split(',')[^1], error.Message, StringComparison.Ordinal);
    }
}
