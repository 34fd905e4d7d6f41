using Lambda.ServingLayer.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Lambda.ServingLayer.Tests.Limits;

public sealed class RefusalHoldTests
{
    private static readonly TimeSpan Most = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_first_refusal_is_not_held()
    {
        var hold = new RefusalHold(Most, new FakeTimeProvider());

        Assert.Equal(TimeSpan.Zero, hold.Refuse("a", TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void A_key_back_before_its_retry_after_is_held_for_the_rest_of_it_at_most_the_setting()
    {
        var time = new FakeTimeProvider();
        var hold = new RefusalHold(TimeSpan.FromSeconds(10), time);
        hold.Refuse("a", TimeSpan.FromSeconds(3));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(2), hold.Refuse("a", TimeSpan.FromSeconds(3)));

        var capped = new RefusalHold(Most, time);
        capped.Refuse("a", TimeSpan.FromSeconds(3));
        Assert.Equal(Most, capped.Refuse("a", TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void A_key_that_waited_as_told_is_not_held_and_other_keys_are_not_held_for_it()
    {
        var time = new FakeTimeProvider();
        var hold = new RefusalHold(Most, time);
        hold.Refuse("a", TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.Zero, hold.Refuse("b", TimeSpan.FromSeconds(2)));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.Zero, hold.Refuse("a", TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void The_wait_a_held_refusal_tells_starts_when_it_is_sent()
    {
        var time = new FakeTimeProvider();
        var hold = new RefusalHold(Most, time);
        hold.Refuse("a", TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromMilliseconds(10));
        var held = hold.Refuse("a", TimeSpan.FromSeconds(1));

        // Sent after the hold with Retry-After 1 s; a client that comes back at once is held again, not answered at once.
        time.Advance(held);
        Assert.Equal(Most, hold.Refuse("a", TimeSpan.FromSeconds(1)));
    }
}
