using Lambda.DemoGenerator;
using Lambda.DemoGenerator.Generators;
using Lambda.Shared.Events;
using Lambda.Testing;

namespace Lambda.DemoGenerator.Tests;

public sealed class DemoEventFactoryTests
{
    [Fact]
    public void Well_formed_events_parse_against_the_default_catalog()
    {
        var factory = new DemoEventFactory(new DemoGeneratorOptions { MalformedShare = 0, LateShare = 0.05 }, new Random(7));
        var now = DateTimeOffset.UtcNow;
        var perTopic = new Dictionary<string, int>();
        for (var i = 0; i < 2_000; i++)
        {
            foreach (var e in factory.NextOrder(now))
            {
                Assert.True(TestCatalogs.Default.TryGetSourceByTopic(e.Topic, out var source), $"topic {e.Topic} has no source");
                var parser = new EventParser(source);
                Assert.True(parser.TryParse(e.Value, out var record, out var rejection), $"{e.Topic}: {rejection}");
                Assert.InRange(record.Timestamp, now.AddHours(-2).AddSeconds(-301), now.AddSeconds(3));
                perTopic[e.Topic] = perTopic.GetValueOrDefault(e.Topic) + 1;
            }
        }

        Assert.Equal(2_000, perTopic["orders"]);
        Assert.Equal(2_000, perTopic["payments"]);
        Assert.Equal(6_000, perTopic["page_views"]);
    }

    [Fact]
    public void Malformed_orders_are_rejected_naming_the_amount_field()
    {
        var factory = new DemoEventFactory(new DemoGeneratorOptions { MalformedShare = 1 }, new Random(1));
        var orders = TestCatalogs.Orders;
        var events = factory.NextOrder(DateTimeOffset.UtcNow).ToList();

        var single = Assert.Single(events);
        Assert.False(new EventParser(orders).TryParse(single.Value, out _, out var rejection));
        Assert.Equal(RejectionReason.WrongType, rejection.Reason);
        Assert.Equal("amount", rejection.Field);
    }
}
